import { ApiError } from "../api/errors";
import { initialReview, requestKind, reviewAbilities, reviewReducer, type Summary } from "./reviewState";

function summary(revision: number, status: "draft" | "approved" = "draft"): Summary {
  return {
    id: "sum-1",
    session_id: "ses-1",
    client_id: "cli-1",
    client_name: "Ana",
    status,
    revision,
    edited: revision > 0,
    approved_at: null,
    created_at: "2026-11-30T10:00:00Z",
    wins: [{ text: "Asked for help early", evidence: [3], sensitive: false }],
    challenges: [],
    action_items: [],
    coach_recommendations: [],
  };
}

const loaded = reviewReducer(initialReview, { type: "loaded", summary: summary(0) });

describe("review state", () => {
  it("offers no undo on an untouched draft, and undo after a change", () => {
    expect(reviewAbilities(loaded)).toMatchObject({ canAsk: true, canUndo: false, canRedo: false, canApprove: true });
    const changed = reviewReducer(loaded, {
      type: "refined",
      kind: "change",
      summary: summary(1),
      diff: [],
      reply: "ok",
    });
    expect(reviewAbilities(changed)).toMatchObject({ canUndo: true, canRedo: false });
  });

  it("offers redo after an undo, until a new change", () => {
    let state = reviewReducer(loaded, { type: "refined", kind: "change", summary: summary(1), diff: [], reply: "" });
    state = reviewReducer(state, { type: "refined", kind: "undo", summary: summary(2), diff: [], reply: "" });
    expect(reviewAbilities(state).canRedo).toBe(true);
    const redone = reviewReducer(state, { type: "refined", kind: "redo", summary: summary(3), diff: [], reply: "" });
    expect(reviewAbilities(redone).canRedo).toBe(false);
    const changedInstead = reviewReducer(state, {
      type: "refined",
      kind: "change",
      summary: summary(3),
      diff: [],
      reply: "",
    });
    expect(changedInstead.redoable).toBe(0);
  });

  it("explains a stale revision and blocks asking until reloaded", () => {
    const asked = reviewReducer(loaded, { type: "asked" });
    expect(reviewAbilities(asked).canAsk).toBe(false);
    const conflict = reviewReducer(asked, {
      type: "failed",
      error: new ApiError(409, "COACH_409", "The summary is at revision 2, not 0."),
    });
    expect(conflict.conflict?.kind).toBe("stale");
    expect(conflict.conflict?.explanation).toContain("The summary is at revision 2, not 0.");
    expect(reviewAbilities(conflict)).toMatchObject({ canAsk: false, canUndo: false, canApprove: false });
    const reloaded = reviewReducer(conflict, { type: "loaded", summary: summary(2) });
    expect(reloaded.conflict).toBeNull();
    expect(reviewAbilities(reloaded).canAsk).toBe(true);
  });

  it("says an approved summary must be reopened", () => {
    const approved = reviewReducer(initialReview, { type: "loaded", summary: summary(1, "approved") });
    const refused = reviewReducer(approved, {
      type: "failed",
      error: new ApiError(409, "COACH_409", "It is approved."),
    });
    expect(refused.conflict).toMatchObject({ kind: "approved" });
    expect(reviewAbilities(approved)).toMatchObject({ canAsk: false, canReopen: true, canApprove: false });
  });

  it("marks the draft stale when another screen revises it, not for its own revision", () => {
    expect(reviewReducer(loaded, { type: "revisedElsewhere", revision: 0 }).conflict).toBeNull();
    const stale = reviewReducer(loaded, { type: "revisedElsewhere", revision: 1 });
    expect(stale.conflict).toMatchObject({ kind: "stale", latestRevision: 1 });
  });

  it("shows another failure's sentence without a conflict", () => {
    const failed = reviewReducer(loaded, {
      type: "failed",
      error: new ApiError(422, "COACH_422", "That request is not understood offline. Try: shorter, warmer."),
    });
    expect(failed.error).toBe("That request is not understood offline. Try: shorter, warmer.");
    expect(failed.conflict).toBeNull();
  });

  it("keeps the highlighted evidence turns", () => {
    expect(reviewReducer(loaded, { type: "evidenceSelected", turns: [3, 4] }).highlighted).toEqual([3, 4]);
  });

  it("reads undo and redo requests", () => {
    expect(requestKind(" Undo. ")).toBe("undo");
    expect(requestKind("redo")).toBe("redo");
    expect(requestKind("undo win 2")).toBe("change");
  });
});
