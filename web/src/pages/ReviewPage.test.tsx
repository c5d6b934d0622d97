import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SocketLike } from "../live/socketClient";
import type { Summary } from "../review/reviewState";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { ReviewPage } from "./ReviewPage";

function summary(revision: number, wins = ["Asked for help early"], status: "draft" | "approved" = "draft"): Summary {
  return {
    id: "sum-1",
    session_id: "ses-1",
    client_id: "cli-1",
    client_name: "Alex Okafor",
    status,
    revision,
    edited: revision > 0,
    approved_at: null,
    created_at: "2026-11-30T10:00:00Z",
    wins: wins.map((text) => ({ text, evidence: [1], sensitive: false })),
    challenges: [],
    action_items: [],
    coach_recommendations: [],
  };
}

const session = {
  turns: [
    {
      index: 0,
      speaker: "Coach",
      text: "How did the week go?",
      start: 0,
      end: 3,
      sensitive: [],
      behaviour: null,
      talk_type: null,
    },
    {
      index: 1,
      speaker: "Alex",
      text: "I asked Sam for help on Monday.",
      start: 4,
      end: 8,
      sensitive: [],
      behaviour: null,
      talk_type: null,
    },
  ],
};

beforeEach(() => signInAs("coach"));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("summary review", () => {
  it("highlights an item's evidence turns in the transcript on click", async () => {
    fakeFetch({
      "GET /v1/summaries/sum-1": () => json(200, summary(0)),
      "GET /v1/sessions/ses-1": () => json(200, session),
    });
    renderPage("/summaries/sum-1", "/summaries/:summaryId", <ReviewPage />);
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "Summary for Alex Okafor" })).toBeInTheDocument();
    const turns = await screen.findByRole("list", { name: "Transcript turns" });
    const evidence = within(turns)
      .getByText(/I asked Sam for help/)
      .closest("li")!;
    expect(evidence).not.toHaveClass("turn-highlighted");
    await user.click(screen.getByRole("button", { name: "Show evidence for Win 1" }));
    expect(await seriousViolations()).toEqual([]);
    expect(evidence).toHaveClass("turn-highlighted");
    expect(
      within(turns)
        .getByText(/How did the week go/)
        .closest("li"),
    ).not.toHaveClass("turn-highlighted");
  });

  it("shows each action item's due day and the words it came from", async () => {
    fakeFetch({
      "GET /v1/summaries/sum-1": () =>
        json(200, {
          ...summary(0),
          action_items: [
            {
              text: "Alex will send Sam the template by Friday (4 Dec).",
              owner: "Alex",
              due: "2026-12-04",
              due_phrase: "by Friday",
              evidence: [1],
              sensitive: false,
            },
            {
              text: "Alex will ask for feedback before we meet again.",
              owner: "Alex",
              due: null,
              due_phrase: "before we meet again",
              evidence: [1],
              sensitive: false,
            },
            { text: "Alex will rest.", owner: null, due: null, due_phrase: null, evidence: [1], sensitive: false },
          ],
        }),
      "GET /v1/sessions/ses-1": () => json(200, session),
    });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date(2026, 10, 30) });
    try {
      renderPage("/summaries/sum-1", "/summaries/:summaryId", <ReviewPage />);
      const actions = await screen.findByRole("region", { name: "Action items" });
      const [dated, vague, undated] = within(actions).getAllByRole("listitem");
      expect(dated).toHaveTextContent("by Fri 4 Dec (said “by Friday”)");
      expect(within(dated!).getByText("Fri 4 Dec").closest("time")).toHaveAttribute("datetime", "2026-12-04");
      expect(vague).toHaveTextContent("no fixed date (said “before we meet again”)");
      expect(undated).not.toHaveTextContent(/by |no fixed date|said/);
      expect(await seriousViolations()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refines over REST when the socket is not open, shows the diff, then undoes", async () => {
    let revision = 0;
    const calls = fakeFetch({
      "GET /v1/summaries/sum-1": () => json(200, summary(0)),
      "GET /v1/sessions/ses-1": () => json(200, session),
      "POST /v1/summaries/sum-1/refine": async (request) => {
        const body = (await request.json()) as { message: string };
        revision += 1;
        const [before, after] =
          body.message === "undo"
            ? ["Asked for help", "Asked for help early"]
            : ["Asked for help early", "Asked for help"];
        return json(200, {
          summary: summary(revision, [after]),
          diff: [
            {
              section: "wins",
              change: "changed",
              position: 1,
              before: { text: before, evidence: [1] },
              after: { text: after, evidence: [1] },
              note: null,
            },
          ],
          reply: body.message === "undo" ? "Undone." : "Made it shorter.",
          history: null,
        });
      },
    });
    renderPage("/summaries/sum-1", "/summaries/:summaryId", <ReviewPage />);
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "Summary for Alex Okafor" });
    expect(screen.getByRole("button", { name: "Undo" })).toBeDisabled();
    await user.type(screen.getByRole("textbox", { name: "Ask for a change" }), "shorter");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    expect(await screen.findByText("Made it shorter.")).toBeInTheDocument();
    expect(screen.getByRole("listitem", { name: "Win 1 changed" }).querySelector("del")).toHaveTextContent("early");
    expect(screen.getByLabelText("Revision")).toHaveTextContent("Revision 1");
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByText("Undone.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Redo" })).toBeEnabled();
    const refinements = calls.filter((c) => c.path === "/v1/summaries/sum-1/refine").map((c) => c.body);
    expect(refinements).toEqual([
      { message: "shorter", expected_revision: 0 },
      { message: "undo", expected_revision: 1 },
    ]);
  });

  it("explains a stale revision and reloads on request", async () => {
    let reads = 0;
    fakeFetch({
      "GET /v1/summaries/sum-1": () => json(200, summary(reads++ === 0 ? 0 : 2)),
      "GET /v1/sessions/ses-1": () => json(200, session),
      "POST /v1/summaries/sum-1/refine": () =>
        json(409, {
          error: {
            code: "COACH_409",
            message: "The summary changed since you loaded it: it is at revision 2, not 0.",
            details: {},
          },
        }),
    });
    renderPage("/summaries/sum-1", "/summaries/:summaryId", <ReviewPage />);
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "Summary for Alex Okafor" });
    await user.type(screen.getByRole("textbox", { name: "Ask for a change" }), "warmer");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This draft is out of date");
    expect(alert).toHaveTextContent("it is at revision 2, not 0.");
    expect(screen.getByRole("button", { name: "Approve" })).toBeDisabled();
    await user.click(within(alert).getByRole("button", { name: "Reload the summary" }));
    expect(await screen.findByText("Revision 2")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("refines over the socket when it is open", async () => {
    fakeFetch({
      "GET /v1/summaries/sum-1": () => json(200, summary(0)),
      "GET /v1/sessions/ses-1": () => json(200, session),
    });
    const sent: Record<string, unknown>[] = [];
    const socket: SocketLike = {
      readyState: 0,
      send(data: string) {
        const frame = JSON.parse(data) as Record<string, unknown>;
        sent.push(frame);
        if (frame["action"] === "refine") {
          queueMicrotask(() =>
            socket.onmessage?.({
              data: JSON.stringify({
                type: "refined",
                id: frame["id"],
                summary: summary(1, ["Asked for help"]),
                diff: [],
                reply: "Over the socket.",
              }),
            }),
          );
        }
      },
      close() {},
      onopen: null,
      onclose: null,
      onmessage: null,
    };
    renderPage("/summaries/sum-1", "/summaries/:summaryId", <ReviewPage />, () => {
      queueMicrotask(() => {
        (socket as { readyState: number }).readyState = 1;
        socket.onopen?.({});
      });
      return socket;
    });
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "Summary for Alex Okafor" });
    await screen.findByText("Asked for help early");
    await user.type(screen.getByRole("textbox", { name: "Ask for a change" }), "shorter");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    expect(await screen.findByText("Over the socket.")).toBeInTheDocument();
    expect(sent.find((f) => f["action"] === "refine")).toMatchObject({
      summary_id: "sum-1",
      message: "shorter",
      expected_revision: 0,
    });
  });

  it("approves, and points to the drafted follow-up", async () => {
    fakeFetch({
      "GET /v1/summaries/sum-1": () => json(200, summary(0)),
      "GET /v1/sessions/ses-1": () => json(200, session),
      "POST /v1/summaries/sum-1/approve": () =>
        json(200, { summary: summary(0, undefined, "approved"), follow_up: { id: "fu-1", status: "draft" } }),
    });
    renderPage("/summaries/sum-1", "/summaries/:summaryId", <ReviewPage />);
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "Summary for Alex Okafor" });
    await user.click(screen.getByRole("button", { name: "Approve" }));
    expect(await screen.findByRole("link", { name: "Open the follow-up" })).toHaveAttribute("href", "/follow-ups/fu-1");
    expect(screen.getByRole("button", { name: "Reopen" })).toBeEnabled();
    expect(screen.getByRole("textbox", { name: "Ask for a change" })).toBeDisabled();
  });

  it("opens with the turn a moment link names marked", async () => {
    fakeFetch({
      "GET /v1/summaries/sum-1": () => json(200, summary(0)),
      "GET /v1/sessions/ses-1": () => json(200, session),
    });
    renderPage("/summaries/sum-1?turn=0", "/summaries/:summaryId", <ReviewPage />);
    const turns = await screen.findByRole("list", { name: "Transcript turns" });
    expect(
      within(turns)
        .getByText(/How did the week go/)
        .closest("li"),
    ).toHaveClass("turn-highlighted");
    expect(
      within(turns)
        .getByText(/I asked Sam/)
        .closest("li"),
    ).not.toHaveClass("turn-highlighted");
  });
});
