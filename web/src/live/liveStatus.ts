import type { Push } from "./socketClient";

export interface LiveStatus {
  status: "processing" | "completed" | "failed";
  step: string | null;
}

/** A session's status as the pushes tell it, newer than the last list read. */
export function applyPush(statuses: Record<string, LiveStatus>, push: Push): Record<string, LiveStatus> {
  const step = typeof push.step === "string" ? push.step : null;
  switch (push.type) {
    case "step_started":
      return { ...statuses, [push.session_id]: { status: "processing", step } };
    case "step_finished":
      // The last step announces the outcome before its own end is pushed: an end after
      // "ready" or "failed" changes nothing (a rerun starts with step_started).
      if (isSettled(statuses[push.session_id])) return statuses;
      return { ...statuses, [push.session_id]: { status: "processing", step: step ? `${step} done` : null } };
    case "session_ready":
      return { ...statuses, [push.session_id]: { status: "completed", step: null } };
    case "session_failed":
      return { ...statuses, [push.session_id]: { status: "failed", step } };
    default:
      return statuses;
  }
}

function isSettled(status: LiveStatus | undefined): boolean {
  return status?.status === "completed" || status?.status === "failed";
}

export function describeStatus(status: string, step: string | null): string {
  if (status === "processing" && step) return `Processing: ${step.replace(/_/g, " ")}`;
  return { received: "Received", processing: "Processing", completed: "Ready", failed: "Failed" }[status] ?? status;
}
