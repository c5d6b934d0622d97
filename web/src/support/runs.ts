/** Support's reading of a run and its steps: pure, so the page only lays it out. */

export interface StateLike {
  name: string;
  status: string;
  entered_at?: string | null;
  exited_at?: string | null;
  error?: string | null;
}

export interface TimelineRow {
  step: string;
  started: string | null;
  finished: string | null;
  outcome: string;
  color: string;
  error: string | null;
}

const OUTCOMES: Record<string, { outcome: string; color: string }> = {
  succeeded: { outcome: "Succeeded", color: "green" },
  failed: { outcome: "Failed", color: "red" },
  caught: { outcome: "Failed, handled by the run", color: "orange" },
  running: { outcome: "Running", color: "blue" },
};

/** One row per step entered, in order, with what came of it (an error only where it failed). */
export function timelineOf(states: StateLike[]): TimelineRow[] {
  return states.map((state) => {
    const known = OUTCOMES[state.status.toLowerCase()] ?? { outcome: state.status, color: "gray" };
    return {
      step: state.name,
      started: state.entered_at ?? null,
      finished: state.exited_at ?? null,
      ...known,
      error: known.color === "red" || known.color === "orange" ? (state.error ?? null) : null,
    };
  });
}

/** A run still going: its page keeps reading it until it ends. */
export function isRunning(status: string): boolean {
  return status.toLowerCase() === "running";
}

/** "run-1 is running.", "run-1 has succeeded." — a rerun's state as a sentence. */
export function runStateSentence(name: string, status: string): string {
  const phrase: Record<string, string> = {
    running: "is running",
    succeeded: "has succeeded",
    failed: "has failed",
    aborted: "was aborted",
    timed_out: "timed out",
  };
  return `${name} ${phrase[status.toLowerCase()] ?? `is ${status.toLowerCase()}`}.`;
}

/** How a failed run's newest redrive or replay stands, as a badge: mended, on its way, or not. */
export function laterRunBadge(status: string): { label: string; color: string } {
  const state = status.toLowerCase();
  if (state === "succeeded") return { label: "Mended by a rerun", color: "green" };
  if (isRunning(state)) return { label: "Rerun running", color: "blue" };
  return { label: "Rerun failed too", color: "red" };
}
