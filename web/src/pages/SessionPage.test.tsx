import { screen, waitFor } from "@testing-library/react";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { SessionPage } from "./SessionPage";

const participant = {
  name: "Alex Okafor",
  role: "client",
  speaking_time_seconds: 600,
  speaking_share: 0.4,
  turns: 12,
  word_count: 900,
  longest_monologue_seconds: 60,
  questions_asked: 2,
  aliases: [],
  engagement_level: "high",
  breakthrough_detected: true,
  priority_score: 0.5,
  priority_reasons: [
    { code: "stuck", label: "said they feel stuck or overwhelmed" },
    { code: "no_win", label: "no win or breakthrough" },
  ],
  summary: null,
  breakthroughs: [{ quote: "I finally see why I avoid asking.", turn: 7, start: 420 }],
};

const results = {
  session_id: "ses-1",
  coach_id: "coach-1",
  source: "upload",
  status: "completed",
  execution: null,
  session_type: "individual",
  session_date: "2026-11-27",
  coach: "Dana",
  coach_confidence: null,
  coach_source: null,
  format: "vtt",
  timing: null,
  duration_seconds: 1500,
  participant_count: 2,
  failure_reason: null,
  failed_step: null,
  created_at: "2026-11-30T09:00:00Z",
  session_summary: null,
  supervision: null,
  participants: [participant],
  sensitive: [],
};

beforeEach(() => signInAs("coach"));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("session", () => {
  it("shows participants, their speaking time, and a breakthrough that opens its moment", async () => {
    fakeFetch({
      "GET /v1/sessions/ses-1": () => json(200, results),
      "GET /v1/sessions/ses-1/summaries": () =>
        json(200, { items: [{ id: "sum-1", client_name: "Alex Okafor", client_id: "cli-1", status: "draft" }] }),
    });
    renderPage("/sessions/ses-1", "/sessions/:sessionId", <SessionPage />);
    expect(await screen.findByRole("heading", { level: 1, name: /^Session of / })).toBeInTheDocument();
    expect(screen.getByRole("figure", { name: "Speaking time chart" })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "10 min 0 s" })).toBeInTheDocument();
    expect(
      screen.getByRole("cell", { name: "0.50: said they feel stuck or overwhelmed; no win or breakthrough" }),
    ).toBeInTheDocument();
    expect(screen.getByText(/I finally see why I avoid asking/)).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Open Alex Okafor's moment at turn 7" })).toHaveAttribute(
      "href",
      "/summaries/sum-1?turn=7",
    );
    expect(await seriousViolations()).toEqual([]);
    expect(screen.getByRole("link", { name: "Review the summary for Alex Okafor" })).toHaveAttribute(
      "href",
      "/summaries/sum-1",
    );
  });

  it("says what went wrong when the session cannot be read", async () => {
    fakeFetch({
      "GET /v1/sessions/ses-1": () =>
        json(404, { error: { code: "COACH_404", message: "Session ses-1 does not exist.", details: {} } }),
      "GET /v1/sessions/ses-1/summaries": () =>
        json(404, { error: { code: "COACH_404", message: "Session ses-1 does not exist.", details: {} } }),
    });
    renderPage("/sessions/ses-1", "/sessions/:sessionId", <SessionPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Session ses-1 does not exist.");
  });

  it("shows the speaking timeline on the session page", async () => {
    const timed = (index: number, speaker: string, start: number, end: number) => ({
      index,
      speaker,
      start,
      end,
      text: "…",
      behaviour: null,
      talk_type: null,
      sensitive: [],
    });
    fakeFetch({
      "GET /v1/sessions/ses-1": () =>
        json(200, { ...results, turns: [timed(0, "Dana", 0, 60), timed(1, "Alex Okafor", 60, 600)] }),
      "GET /v1/sessions/ses-1/summaries": () => json(200, { items: [] }),
    });
    renderPage("/sessions/ses-1", "/sessions/:sessionId", <SessionPage />);
    expect(await screen.findByRole("heading", { level: 2, name: "Speaking timeline" })).toBeInTheDocument();
    expect(await screen.findByRole("figure", { name: "Speaking timeline" })).toHaveTextContent("Alex Okafor 1 turns");
  });

  it("opens the transcript at the moment a link names (?turn=N&to=M): marked, scrolled to and focused", async () => {
    const said = (index: number, speaker: string, text: string) => ({
      index,
      speaker,
      start: index * 60,
      end: index * 60 + 50,
      text,
      behaviour: null,
      talk_type: null,
      sensitive: [],
    });
    const turns = [
      said(0, "Dana", "What got in the way?"),
      said(1, "Alex Okafor", "I avoid delegation."),
      said(2, "Alex Okafor", "My team could do more."),
      said(3, "Dana", "Say more."),
    ];
    fakeFetch({
      "GET /v1/sessions/ses-1": () => json(200, { ...results, turns }),
      "GET /v1/sessions/ses-1/summaries": () => json(200, { items: [] }),
    });
    renderPage("/sessions/ses-1?turn=1&to=2", "/sessions/:sessionId", <SessionPage />);
    const transcript = await screen.findByRole("list", { name: "Transcript turns" });
    const marked = [...transcript.querySelectorAll("[aria-current=true]")].map((li) => li.textContent);
    expect(marked).toEqual([
      "Alex Okafor (1 min 0 s): I avoid delegation.",
      "Alex Okafor (2 min 0 s): My team could do more.",
    ]);
    await waitFor(() => expect(document.activeElement).toBe(transcript.querySelector('[data-turn="1"]')));
    expect(await seriousViolations()).toEqual([]);
  });
});
