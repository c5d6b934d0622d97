import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { ChangePassword } from "./ChangePassword";
import { ProfilePage } from "./ProfilePage";

beforeEach(() => signInAs("support", null));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

async function fill(current: string, next: string, again = next) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(/^Current password/), current);
  await user.type(screen.getByLabelText(/^New password/), next);
  await user.type(screen.getByLabelText(/^Repeat the new password/), again);
  return user;
}

describe("change password", () => {
  it("sends the current and the new password, then forgets the ended sign-in and goes to Sign in", async () => {
    const calls = fakeFetch({
      "POST /v1/account/password": () => json(204, null),
      "POST /v1/auth/logout": () => json(204, null),
    });
    renderPage("/profile", "/profile", <ChangePassword />);
    expect(await seriousViolations()).toEqual([]);
    const user = await fill("old long password", "a brand new long password");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(calls[0]!.body).toEqual({
      current_password: "old long password",
      new_password: "a brand new long password",
    });
    expect(sessionStorage.getItem("coaching.tokens")).toBeNull();
  }, 20_000); // typed passwords on a busy machine: generous, never a measure of speed

  it("shows the API's sentence for a wrong current password", async () => {
    fakeFetch({
      "POST /v1/account/password": () =>
        json(403, { error: { code: "COACH_403", message: "The current password is not right.", details: {} } }),
    });
    renderPage("/profile", "/profile", <ChangePassword />);
    const user = await fill("wrong one", "a brand new long password");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The current password is not right.");
  }, 20_000);

  it("does not send two new passwords that differ", async () => {
    const calls = fakeFetch({});
    renderPage("/profile", "/profile", <ChangePassword />);
    await fill("old long password", "a brand new long password", "another one");
    expect(screen.getByText("The two new passwords differ.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Change password" })).toBeDisabled();
    expect(calls).toEqual([]);
  }, 20_000);

  it("is on the profile page of a person without a coach profile, who is asked for nothing else", async () => {
    const calls = fakeFetch({});
    renderPage("/profile", "/profile", <ProfilePage />);
    expect(screen.getByRole("heading", { level: 1, name: "Your profile" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Change password" })).toBeInTheDocument();
    expect(screen.queryByLabelText("Greeting")).not.toBeInTheDocument();
    expect(calls).toEqual([]);
  });
});
