import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { AdminPage } from "./AdminPage";

const organization = { id: "org-1", settings: { mfa_required: true, retention_days: 2557 } };

function person(id: string, email: string, role: string, disabled = false) {
  return { id, email, name: email.split("@")[0]!, role, mfa_enabled: role === "admin", disabled };
}

beforeEach(() => signInAs("admin", null));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("users for admins", () => {
  it("adds a user and shows the temporary password once, then changes a role and disables", async () => {
    let people = [person("u-1", "ada@example.com", "admin"), person("u-2", "sam@example.com", "coach")];
    const calls = fakeFetch({
      "GET /v1/organization": () => json(200, organization),
      "GET /v1/users": () => json(200, { items: people }),
      "POST /v1/users": () => {
        const added = person("u-3", "new@example.com", "support");
        people = [...people, added];
        return json(201, { ...added, temporary_password: "temp-password-123" });
      },
      "PATCH /v1/users/u-2": async (request) => {
        const change = (await request.json()) as { role?: string; disabled?: boolean };
        people = people.map((p) => (p.id === "u-2" ? { ...p, ...change } : p));
        return json(
          200,
          people.find((p) => p.id === "u-2"),
        );
      },
    });
    renderPage("/admin", "/admin", <AdminPage />);
    const user = userEvent.setup();
    const table = await screen.findByRole("table", { name: "Users" });
    expect(within(table).getByText("sam@example.com")).toBeInTheDocument();

    const form = screen.getByRole("form", { name: "Add a user" });
    await user.type(within(form).getByLabelText("Email", { exact: false }), "new@example.com");
    await user.type(within(form).getByLabelText("Name", { exact: false }), "New Person");
    await user.selectOptions(within(form).getByRole("combobox", { name: "Role" }), "Support");
    await user.click(within(form).getByRole("button", { name: "Add user" }));
    expect(await screen.findByText("temp-password-123")).toBeInTheDocument();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      email: "new@example.com",
      name: "New Person",
      role: "support",
    });
    expect(await screen.findByText("new@example.com")).toBeInTheDocument();

    await user.selectOptions(screen.getByRole("combobox", { name: "Role of sam@example.com" }), "Coach lead");
    expect(await screen.findByRole("status")).toHaveTextContent("sam@example.com is now coach lead.");
    await user.click(screen.getByRole("button", { name: "Disable sam@example.com" }));
    expect(await screen.findByRole("button", { name: "Enable sam@example.com" })).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { role: "coach_lead" },
      { disabled: true },
    ]);
    expect(await seriousViolations()).toEqual([]);
  }, 20_000); // a long typed flow: generous on a busy machine, never a measure of speed

  it("shows the API's sentence when a change is refused", async () => {
    fakeFetch({
      "GET /v1/organization": () => json(200, organization),
      "GET /v1/users": () => json(200, { items: [person("u-1", "ada@example.com", "admin")] }),
      "PATCH /v1/users/u-1": () =>
        json(409, {
          error: {
            code: "COACH_409",
            message: "You are the organization's only admin: it would be left without one.",
            hint: "Make someone else an admin first.",
            details: {},
          },
        }),
    });
    renderPage("/admin", "/admin", <AdminPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Disable ada@example.com" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("only admin");
  });

  it("says when the users did not load", async () => {
    fakeFetch({
      "GET /v1/organization": () => json(200, organization),
      "GET /v1/users": () =>
        json(403, { error: { code: "COACH_403", message: "The coach role cannot do this.", details: {} } }),
    });
    renderPage("/admin", "/admin", <AdminPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The coach role cannot do this.");
  });
});
