import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { ProfilePage } from "./ProfilePage";

beforeEach(() => signInAs("support", null));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("sign out everywhere", () => {
  it("ends every sign-in, forgets the tokens and returns to Sign in", async () => {
    const calls = fakeFetch({ "POST /v1/account/sign-out-everywhere": () => json(204, null) });
    renderPage("/profile", "/profile", <ProfilePage />);
    expect(await seriousViolations()).toEqual([]);
    await userEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(["POST /v1/account/sign-out-everywhere"]);
    expect(sessionStorage.getItem("coaching.tokens")).toBeNull();
  });

  it("stays signed in and says why when the API refuses", async () => {
    fakeFetch({
      "POST /v1/account/sign-out-everywhere": () =>
        json(403, { error: { code: "COACH_403", message: "People are managed by people.", details: {} } }),
    });
    renderPage("/profile", "/profile", <ProfilePage />);
    await userEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("People are managed by people.");
    expect(screen.getByRole("heading", { level: 1, name: "Your profile" })).toBeInTheDocument();
    expect(sessionStorage.getItem("coaching.tokens")).not.toBeNull();
  });
});
