import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { SupportPage } from "./SupportPage";

function run(name: string, redriveHelps: boolean | null) {
  return {
    name,
    status: "failed",
    started_at: "2026-11-30T09:00:00Z",
    stopped_at: "2026-11-30T09:01:00Z",
    session_id: null,
    file_name: `${name}.vtt`,
    failed_step: "analyze",
    reason: redriveHelps === false ? "The transcript has no speakers." : "The analyzer timed out.",
    error: null,
    error_type: null,
    cause: null,
    redrive_helps: redriveHelps,
    redrive_of: null,
    replay_of: null,
  };
}

beforeEach(() => signInAs("support", null));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("failed runs", () => {
  it("redrives a run a redrive can help, and does not offer it for a permanent input error", async () => {
    const calls = fakeFetch({
      "GET /v1/executions": () => json(200, { items: [run("run-1", true), run("run-2", false)] }),
      "POST /v1/executions/run-1/redrive": () => json(200, { ...run("run-1", true), status: "running" }),
    });
    renderPage("/support", "/support", <SupportPage />);
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "Failed runs" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Failed runs" });
    expect(within(table).queryByRole("button", { name: "Redrive run-2" })).toBeNull();
    expect(within(table).getByText(/the input must be fixed/)).toBeInTheDocument();
    await user.click(within(table).getByRole("button", { name: "Redrive run-1" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Redriven: run-1 is running.");
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain("POST /v1/executions/run-1/redrive");
    expect(await seriousViolations()).toEqual([]);
  });

  it("shows the platform's sentence when the list does not load", async () => {
    fakeFetch({
      "GET /v1/executions": () =>
        json(403, { error: { code: "COACH_403", message: "Only support and admins see runs.", details: {} } }),
    });
    renderPage("/support", "/support", <SupportPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Only support and admins see runs.");
  });
});
