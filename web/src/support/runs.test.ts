import { isRunning, laterRunBadge, runStateSentence, timelineOf } from "./runs";

describe("a run's step timeline", () => {
  it("says what came of each step, in order, with the error only where one failed", () => {
    const rows = timelineOf([
      {
        name: "ValidateAndStore",
        status: "succeeded",
        entered_at: "2026-11-30T09:00:00Z",
        exited_at: "2026-11-30T09:00:01Z",
        error: null,
      },
      {
        name: "IndexSession",
        status: "failed",
        entered_at: "2026-11-30T09:00:02Z",
        exited_at: null,
        error: "TransientError",
      },
      { name: "NotifyFailure", status: "caught", error: "States.TaskFailed" },
      { name: "Analyze", status: "running" },
      { name: "Odd", status: "paused", error: "ignored" },
    ]);
    expect(rows.map((row) => [row.step, row.outcome, row.error])).toEqual([
      ["ValidateAndStore", "Succeeded", null],
      ["IndexSession", "Failed", "TransientError"],
      ["NotifyFailure", "Failed, handled by the run", "States.TaskFailed"],
      ["Analyze", "Running", null],
      ["Odd", "paused", null],
    ]);
    expect(rows[0]).toMatchObject({ started: "2026-11-30T09:00:00Z", finished: "2026-11-30T09:00:01Z" });
    expect(rows[3]).toMatchObject({ started: null, finished: null });
  });
});

describe("a rerun's state", () => {
  it.each([
    ["RUNNING", "run-1 is running.", true],
    ["SUCCEEDED", "run-1 has succeeded.", false],
    ["failed", "run-1 has failed.", false],
    ["ABORTED", "run-1 was aborted.", false],
    ["TIMED_OUT", "run-1 timed out.", false],
    ["PENDING_REDRIVE", "run-1 is pending_redrive.", false],
  ])("%s reads as a sentence", (status, sentence, running) => {
    expect(runStateSentence("run-1", status)).toBe(sentence);
    expect(isRunning(status)).toBe(running);
  });
});

describe("a failed run's later run", () => {
  it.each([
    ["SUCCEEDED", "Mended by a rerun", "green"],
    ["running", "Rerun running", "blue"],
    ["FAILED", "Rerun failed too", "red"],
    ["TIMED_OUT", "Rerun failed too", "red"],
  ])("%s is a %s badge", (status, label, color) => {
    expect(laterRunBadge(status)).toEqual({ label, color });
  });
});
