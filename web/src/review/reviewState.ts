import type { Schemas } from "../api/client";
import { ApiError, sentenceFor } from "../api/errors";

export type Summary = Schemas["Summary"];
export type Change = Schemas["Change"];

/** Why the draft on screen can no longer be changed as it is. */
export interface Conflict {
  kind: "stale" | "approved";
  explanation: string;
  latestRevision: number | null;
}

export interface ReviewState {
  summary: Summary | null;
  diff: Change[];
  reply: string | null;
  /** Changes asked for on this screen that `redo` can bring back after an `undo`. */
  redoable: number;
  pending: boolean;
  error: string | null;
  conflict: Conflict | null;
  /** The transcript turns of the item the coach clicked. */
  highlighted: number[];
}

export type RequestKind = "change" | "undo" | "redo";

export type ReviewEvent =
  | { type: "loaded"; summary: Summary }
  | { type: "asked" }
  | { type: "refined"; kind: RequestKind; summary: Summary; diff: Change[]; reply: string }
  | { type: "failed"; error: unknown }
  | { type: "revisedElsewhere"; revision: number }
  | { type: "evidenceSelected"; turns: number[] }
  | { type: "statusChanged"; summary: Summary };

export const initialReview: ReviewState = {
  summary: null,
  diff: [],
  reply: null,
  redoable: 0,
  pending: false,
  error: null,
  conflict: null,
  highlighted: [],
};

export function reviewReducer(state: ReviewState, event: ReviewEvent): ReviewState {
  switch (event.type) {
    case "loaded":
      // A fresh read is the truth: any conflict it resolves is gone, and so is the redo stack.
      return { ...initialReview, summary: event.summary };
    case "asked":
      return { ...state, pending: true, error: null };
    case "refined": {
      const redoable =
        event.kind === "undo" ? state.redoable + 1 : event.kind === "redo" ? Math.max(0, state.redoable - 1) : 0;
      return {
        ...state,
        summary: event.summary,
        diff: event.diff,
        reply: event.reply,
        redoable,
        pending: false,
        error: null,
        conflict: null,
      };
    }
    case "failed":
      return failed(state, event.error);
    case "revisedElsewhere":
      if (!state.summary || event.revision <= state.summary.revision) return state;
      return {
        ...state,
        conflict: {
          kind: "stale",
          explanation: `This summary was changed on another screen (now revision ${event.revision}; you are looking at revision ${state.summary.revision}). Reload it to see the change before you ask for another.`,
          latestRevision: event.revision,
        },
      };
    case "evidenceSelected":
      return { ...state, highlighted: event.turns };
    case "statusChanged":
      return { ...state, summary: event.summary, pending: false, error: null, conflict: null, redoable: 0 };
  }
}

function failed(state: ReviewState, error: unknown): ReviewState {
  const sentence = sentenceFor(error);
  if (error instanceof ApiError && error.status === 409) {
    const approved = state.summary?.status === "approved";
    return {
      ...state,
      pending: false,
      error: null,
      conflict: approved
        ? { kind: "approved", explanation: `${sentence} Reopen it to change it.`, latestRevision: null }
        : {
            kind: "stale",
            explanation: `Your request was not applied, because someone else changed this summary. ${sentence}`,
            latestRevision: null,
          },
    };
  }
  return { ...state, pending: false, error: sentence };
}

/** What the buttons may offer: nothing while a request runs or the draft is out of date. */
export function reviewAbilities(state: ReviewState) {
  const summary = state.summary;
  const editable = !!summary && summary.status !== "approved" && !state.pending && !state.conflict;
  return {
    canAsk: editable,
    canUndo: editable && (summary?.revision ?? 0) > 0,
    canRedo: editable && state.redoable > 0,
    canApprove: !!summary && summary.status !== "approved" && !state.pending && !state.conflict,
    canReopen: !!summary && summary.status === "approved" && !state.pending,
  };
}

export function requestKind(message: string): RequestKind {
  const word = message.trim().replace(/\.$/, "").toLowerCase();
  return word === "undo" ? "undo" : word === "redo" ? "redo" : "change";
}
