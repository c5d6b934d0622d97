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
    later_run: null,
    later_run_status: null,
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

  it("says which failed runs a later redrive or replay already mended", async () => {
    fakeFetch({
      "GET /v1/executions": () =>
        json(200, {
          items: [
            { ...run("run-1", true), later_run: "run-1-redrive-1", later_run_status: "SUCCEEDED" },
            { ...run("run-2", true), later_run: "run-2-replay-1", later_run_status: "FAILED" },
            run("run-3", true),
          ],
        }),
    });
    renderPage("/support", "/support", <SupportPage />);
    const table = await screen.findByRole("table", { name: "Failed runs" });
    const [, first, second, third] = within(table).getAllByRole("row");
    expect(first).toHaveTextContent("Mended by a rerun");
    expect(first).toHaveTextContent("run-1-redrive-1 has succeeded.");
    expect(second).toHaveTextContent("Rerun failed too");
    expect(third).not.toHaveTextContent(/rerun/i);
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

  it("shows a run's step timeline, and follows a redrive until it ends", async () => {
    let reads = 0;
    fakeFetch({
      "GET /v1/executions": () => json(200, { items: [run("run-1", true)] }),
      "GET /v1/executions/run-1": () =>
        json(200, {
          ...run("run-1", true),
          states: [
            {
              name: "ValidateAndStore",
              status: "succeeded",
              entered_at: "2026-11-30T09:00:00Z",
              exited_at: "2026-11-30T09:00:01Z",
            },
            { name: "IndexSession", status: "failed", entered_at: "2026-11-30T09:00:02Z", error: "TransientError" },
          ],
        }),
      "POST /v1/executions/run-1/redrive": () => json(200, { ...run("run-1-redrive-1", true), status: "RUNNING" }),
      "GET /v1/executions/run-1-redrive-1": () =>
        json(200, { ...run("run-1-redrive-1", true), status: reads++ === 0 ? "RUNNING" : "SUCCEEDED", states: [] }),
    });
    renderPage("/support", "/support", <SupportPage followMs={5} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Steps of run-1" }));
    const timeline = await screen.findByRole("table", { name: "Step timeline of run-1" });
    const rows = within(timeline).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/^ValidateAndStore.*Succeeded$/),
      expect.stringMatching(/^IndexSession.*—FailedTransientError$/),
    ]);
    expect(await seriousViolations()).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Redrive run-1" }));
    expect(await screen.findByText("Redriven: run-1-redrive-1 has succeeded.")).toBeInTheDocument();
    expect(reads).toBe(2);
  });

  it("shows the API's refusal when a permanent input error is replayed", async () => {
    fakeFetch({
      "GET /v1/executions": () => json(200, { items: [run("run-2", false)] }),
      "POST /v1/executions/run-2/replay": () =>
        json(409, {
          error: {
            code: "COACH_409",
            message:
              "run-2 failed at ValidateAndStore because its transcript cannot be used. Upload a fixed transcript instead.",
            details: {},
          },
        }),
    });
    renderPage("/support", "/support", <SupportPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Replay run-2" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "run-2 failed at ValidateAndStore because its transcript cannot be used. Upload a fixed transcript instead.",
    );
  });
});
