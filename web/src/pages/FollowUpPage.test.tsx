import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { FollowUpPage } from "./FollowUpPage";

const draft = {
  id: "fu-1",
  summary_id: "sum-1",
  session_id: "ses-1",
  client_id: "cli-1",
  client_name: "Alex Okafor",
  status: "draft",
  status_reason: null,
  subject: "After our session",
  body: "Hi Alex, ...",
  template_id: null,
  scheduled_for: null,
  sent_at: null,
  created_at: "2026-11-30T10:00:00Z",
};

beforeEach(() => signInAs("coach"));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("follow-up", () => {
  it("sends now and says why it was skipped", async () => {
    fakeFetch({
      "GET /v1/follow-ups/fu-1": () => json(200, draft),
      "POST /v1/follow-ups/fu-1/send": () =>
        json(200, { ...draft, status: "failed", status_reason: "client_has_no_email_address" }),
    });
    renderPage("/follow-ups/fu-1", "/follow-ups/:followUpId", <FollowUpPage />);
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "Follow-up to Alex Okafor" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Send now" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The client has no email address on record.");
    expect(screen.getByLabelText("Status: failed")).toBeInTheDocument();
    // Once the client has an address, the same follow-up may go again.
    expect(screen.getByRole("button", { name: "Send again" })).toBeEnabled();
    expect(await seriousViolations()).toEqual([]);
  });

  it("saves an edit before it may be sent", async () => {
    const calls = fakeFetch({
      "GET /v1/follow-ups/fu-1": () => json(200, draft),
      "PUT /v1/follow-ups/fu-1": async (request) => json(200, { ...draft, ...((await request.json()) as object) }),
    });
    renderPage("/follow-ups/fu-1", "/follow-ups/:followUpId", <FollowUpPage />);
    const user = userEvent.setup();
    const subject = await screen.findByRole("textbox", { name: "Subject" });
    await user.clear(subject);
    await user.type(subject, "Your next steps");
    expect(screen.getByRole("button", { name: "Send now" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Send now" })).toBeEnabled();
    expect(calls.at(-1)).toMatchObject({ method: "PUT", body: { subject: "Your next steps", body: "Hi Alex, ..." } });
  });
});

describe("follow-up preview", () => {
  it("renders again with sensitive items only when the coach says so", async () => {
    const calls = fakeFetch({
      "GET /v1/follow-ups/fu-1": () => json(200, draft),
      "POST /v1/follow-ups/fu-1/render": async (request) => {
        const { include_sensitive_items } = (await request.json()) as { include_sensitive_items: boolean };
        return json(200, {
          ...draft,
          body: include_sensitive_items ? "Hi Alex, including your health goal." : "Hi Alex, ...",
          withheld_sensitive_items: include_sensitive_items ? 0 : 1,
        });
      },
    });
    renderPage("/follow-ups/fu-1", "/follow-ups/:followUpId", <FollowUpPage />);
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "Follow-up to Alex Okafor" });
    await user.click(screen.getByRole("button", { name: "Render again" }));
    expect(await screen.findByText("1 sensitive item is kept out of this email.")).toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: "Include sensitive items" }));
    await user.click(screen.getByRole("button", { name: "Render again" }));
    expect(await screen.findByRole("textbox", { name: "Body" })).toHaveValue("Hi Alex, including your health goal.");
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
      { include_sensitive_items: false },
      { include_sensitive_items: true },
    ]);
  });
});
