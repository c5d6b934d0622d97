import { screen, within } from "@testing-library/react";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { SpeakingTimeline, speakingRows } from "./SpeakingTimeline";

function turn(index: number, speaker: string, start: number | null, end: number | null) {
  return { index, speaker, start, end, text: "…", behaviour: null, talk_type: null, sensitive: [] };
}

beforeEach(() => signInAs("coach"));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("speaking timeline", () => {
  it("groups the timed turns by speaker, in order of first speaking, and skips untimed ones", () => {
    const { rows, end } = speakingRows([
      turn(0, "Dana", 0, 30),
      turn(1, "Alex", 30, 90),
      turn(2, "Dana", 90, 100),
      turn(3, "Alex", null, null),
    ]);
    expect(rows).toEqual([
      {
        speaker: "Dana",
        spans: [
          { start: 0, end: 30 },
          { start: 90, end: 100 },
        ],
      },
      { speaker: "Alex", spans: [{ start: 30, end: 90 }] },
    ]);
    expect(end).toBe(100);
  });

  it("draws who spoke when as a labelled figure, from the session read with its turns", async () => {
    const calls = fakeFetch({
      "GET /v1/sessions/ses-1": () =>
        json(200, { turns: [turn(0, "Dana", 0, 30), turn(1, "Alex", 30, 90), turn(2, "Dana", 90, 100)] }),
    });
    renderPage("/sessions/ses-1", "/sessions/:sessionId", <SpeakingTimeline sessionId="ses-1" />);
    const figure = await screen.findByRole("figure", { name: "Speaking timeline" });
    expect(figure).toHaveTextContent("Who spoke when, over 1 min 40 s: Dana 2 turns, Alex 1 turns.");
    const drawn = within(figure).getByTestId("speaking-timeline");
    expect(drawn.querySelectorAll('[data-speaker="Dana"] rect')).toHaveLength(2);
    expect(drawn.querySelectorAll('[data-speaker="Alex"] rect')).toHaveLength(1);
    expect(calls.map((call) => call.path)).toEqual(["/v1/sessions/ses-1?turns=true"]);
    expect(await seriousViolations()).toEqual([]);
  });

  it("says so when no turn has times", async () => {
    fakeFetch({ "GET /v1/sessions/ses-1": () => json(200, { turns: [turn(0, "Dana", null, null)] }) });
    renderPage("/sessions/ses-1", "/sessions/:sessionId", <SpeakingTimeline sessionId="ses-1" />);
    expect(await screen.findByText("The transcript has no timed turns to draw.")).toBeInTheDocument();
    expect(screen.queryByRole("figure", { name: "Speaking timeline" })).not.toBeInTheDocument();
  });
});
