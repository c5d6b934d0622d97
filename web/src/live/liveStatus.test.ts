import { applyPush, describeStatus } from "./liveStatus";

describe("live status from pushes", () => {
  it("follows a session through its steps to ready", () => {
    let statuses = applyPush({}, { type: "step_started", session_id: "s1", step: "parse_transcript" });
    expect(describeStatus(statuses["s1"]!.status, statuses["s1"]!.step)).toBe("Processing: parse transcript");
    statuses = applyPush(statuses, { type: "step_finished", session_id: "s1", step: "parse_transcript" });
    expect(statuses["s1"]).toEqual({ status: "processing", step: "parse_transcript done" });
    statuses = applyPush(statuses, { type: "session_ready", session_id: "s1" });
    expect(describeStatus(statuses["s1"]!.status, statuses["s1"]!.step)).toBe("Ready");
  });

  it("stays ready when the last step's end arrives after the outcome", () => {
    let statuses = applyPush({}, { type: "step_started", session_id: "s1", step: "NotifyCoach" });
    statuses = applyPush(statuses, { type: "session_ready", session_id: "s1" });
    statuses = applyPush(statuses, { type: "step_finished", session_id: "s1", step: "NotifyCoach" });
    expect(describeStatus(statuses["s1"]!.status, statuses["s1"]!.step)).toBe("Ready");
    // A rerun of a failed session starts over with its first step
    statuses = applyPush(
      { s1: { status: "failed", step: "analyze" } },
      { type: "step_started", session_id: "s1", step: "ParseTranscript" },
    );
    expect(statuses["s1"]!.status).toBe("processing");
  });

  it("keeps other sessions and ignores pushes it does not show", () => {
    const before = { s2: { status: "failed" as const, step: "analyze" } };
    expect(applyPush(before, { type: "summary_revised", session_id: "s2" })).toBe(before);
    expect(applyPush(before, { type: "session_ready", session_id: "s1" })["s2"]).toEqual(before.s2);
  });
});
