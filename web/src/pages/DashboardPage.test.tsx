import { act, screen, within } from "@testing-library/react";
import type { SocketLike } from "../live/socketClient";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { DashboardPage } from "./DashboardPage";

function session(status: string) {
  return {
    session_id: "ses-1",
    coach_id: "coach-1",
    source: "upload",
    status,
    execution: null,
    session_type: "group",
    session_date: "2026-11-27",
    coach: "Dana",
    coach_confidence: null,
    coach_source: null,
    format: "vtt",
    timing: null,
    duration_seconds: 3600,
    participant_count: 4,
    failure_reason: null,
    failed_step: null,
    created_at: "2026-11-30T09:00:00Z",
  };
}

beforeEach(() => signInAs("coach"));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("dashboard", () => {
  it("subscribes, shows each step live, and reads the list again when the session is ready", async () => {
    let reads = 0;
    fakeFetch({
      "GET /v1/sessions": () =>
        json(200, { items: [session(reads++ === 0 ? "processing" : "completed")], next_cursor: null }),
      "GET /v1/follow-ups": () => json(200, { items: [], limit: 10, offset: 0, next_offset: null }),
      "GET /v1/clients": () => json(200, { items: [], next_offset: null }),
      "GET /v1/summaries": () => json(200, { items: [], limit: 20, offset: 0, next_offset: null }),
    });
    const sent: Record<string, unknown>[] = [];
    const socket: SocketLike = {
      readyState: 0,
      send: (data: string) => sent.push(JSON.parse(data) as Record<string, unknown>),
      close() {},
      onopen: null,
      onclose: null,
      onmessage: null,
    };
    renderPage("/", "/", <DashboardPage />, () => socket);
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    expect(await screen.findByText("Processing")).toBeInTheDocument();
    expect(screen.getByText("Nothing waiting to be sent.")).toBeInTheDocument();
    act(() => {
      (socket as { readyState: number }).readyState = 1;
      socket.onopen?.({});
    });
    expect(sent).toContainEqual({ action: "subscribe", id: expect.any(String) });
    const push = (frame: object) => act(() => socket.onmessage?.({ data: JSON.stringify(frame) }));
    push({ type: "step_started", session_id: "ses-1", step: "analyze_client" });
    expect(screen.getByText("Processing: analyze client")).toBeInTheDocument();
    push({ type: "session_ready", session_id: "ses-1" });
    expect(await screen.findByText("Ready")).toBeInTheDocument();
    expect(reads).toBe(2);
    expect(await seriousViolations()).toEqual([]);
  });

  it("shows the platform's sentence when sessions do not load", async () => {
    fakeFetch({
      "GET /v1/sessions": () =>
        json(503, {
          error: { code: "COACH_503", message: "The database is busy. Try again in a moment.", details: {} },
        }),
      "GET /v1/follow-ups": () => json(200, { items: [], limit: 10, offset: 0, next_offset: null }),
      "GET /v1/clients": () => json(200, { items: [], next_offset: null }),
      "GET /v1/summaries": () => json(200, { items: [], limit: 20, offset: 0, next_offset: null }),
    });
    renderPage("/", "/", <DashboardPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The database is busy. Try again in a moment.");
  });

  it("lists the drafts waiting for review, each a link to its review page", async () => {
    const calls = fakeFetch({
      "GET /v1/sessions": () => json(200, { items: [], next_cursor: null }),
      "GET /v1/follow-ups": () => json(200, { items: [], limit: 10, offset: 0, next_offset: null }),
      "GET /v1/clients": () => json(200, { items: [], next_offset: null }),
      "GET /v1/summaries": () =>
        json(200, {
          items: [draft("sum-2", "Jordan Reyes", "2026-11-27", true), draft("sum-1", "Ana Ortiz", "2026-11-20", false)],
          limit: 20,
          offset: 0,
          next_offset: 20,
        }),
    });
    renderPage("/", "/", <DashboardPage />);
    const queue = await screen.findByRole("list", { name: "Waiting for review" });
    const links = within(queue).getAllByRole("link");
    expect(links.map((link) => link.getAttribute("href"))).toEqual(["/summaries/sum-2", "/summaries/sum-1"]);
    expect(links[0]).toHaveAccessibleName(/^Jordan Reyes, session of/);
    expect(queue).toHaveTextContent("(edited)");
    expect(screen.getByText("The 2 newest are shown; more are waiting.")).toBeInTheDocument();
    expect(calls.map((call) => call.path)).toContain("/v1/summaries?status=draft&limit=20");
    expect(await seriousViolations()).toEqual([]);
  });

  it("says so when nothing waits for review", async () => {
    fakeFetch({
      "GET /v1/sessions": () => json(200, { items: [], next_cursor: null }),
      "GET /v1/follow-ups": () => json(200, { items: [], limit: 10, offset: 0, next_offset: null }),
      "GET /v1/clients": () => json(200, { items: [], next_offset: null }),
      "GET /v1/summaries": () => json(200, { items: [], limit: 20, offset: 0, next_offset: null }),
    });
    renderPage("/", "/", <DashboardPage />);
    expect(await screen.findByText("Nothing waiting for review. Every summary is approved.")).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Waiting for review" })).not.toBeInTheDocument();
  });

  it("puts the clients to follow up first first, each a link to their history", async () => {
    const calls = fakeFetch({
      "GET /v1/sessions": () => json(200, { items: [], next_cursor: null }),
      "GET /v1/follow-ups": () => json(200, { items: [], limit: 10, offset: 0, next_offset: null }),
      "GET /v1/summaries": () => json(200, { items: [], limit: 20, offset: 0, next_offset: null }),
      "GET /v1/clients": () =>
        json(200, {
          items: [
            overview("cli-9", "Tomas Berg", 0.9, "low"),
            overview("cli-2", "Priya Raman", 0.25, null),
            overview("cli-5", "Not Analysed", null, null),
          ],
          next_offset: null,
        }),
    });
    renderPage("/", "/", <DashboardPage />);
    const ranked = await screen.findByRole("list", { name: "Follow up first" });
    const links = within(ranked).getAllByRole("link");
    expect(links.map((link) => link.textContent)).toEqual(["Tomas Berg", "Priya Raman"]);
    expect(links.map((link) => link.getAttribute("href"))).toEqual(["/clients/cli-9", "/clients/cli-2"]);
    expect(ranked).toHaveTextContent("priority 90 of 100, low engagement");
    expect(calls.map((call) => call.path)).toContain("/v1/clients?sort=priority&limit=5");
    expect(await seriousViolations()).toEqual([]);
  });

  it("says so when no client is ranked yet", async () => {
    fakeFetch({
      "GET /v1/sessions": () => json(200, { items: [], next_cursor: null }),
      "GET /v1/follow-ups": () => json(200, { items: [], limit: 10, offset: 0, next_offset: null }),
      "GET /v1/summaries": () => json(200, { items: [], limit: 20, offset: 0, next_offset: null }),
      "GET /v1/clients": () => json(200, { items: [overview("cli-5", "Not Analysed", null, null)], next_offset: null }),
    });
    renderPage("/", "/", <DashboardPage />);
    expect(await screen.findByText("No client has an analysed session yet, so none is ranked.")).toBeInTheDocument();
  });
});

function overview(id: string, name: string, priority: number | null, engagement: string | null) {
  return {
    id,
    name,
    status: "active",
    sessions: 2,
    last_session_date: priority === null ? null : "2026-11-27",
    latest_engagement: engagement,
    latest_priority: priority,
    email_suppressed: false,
  };
}

function draft(id: string, client: string, day: string, edited: boolean) {
  return {
    id,
    session_id: `ses-${id}`,
    session_date: day,
    client_id: `cli-${id}`,
    client_name: client,
    status: "draft",
    revision: edited ? 1 : 0,
    edited,
    approved_at: null,
    created_at: "2026-11-30T09:00:00Z",
  };
}
