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
      return { ...statuses, [push.session_id]: { status: "processing", step: step ? `${step} done` : null } };
    case "session_ready":
      return { ...statuses, [push.session_id]: { status: "completed", step: null } };
    case "session_failed":
      return { ...statuses, [push.session_id]: { status: "failed", step } };
    default:
      return statuses;
  }
}

export function describeStatus(status: string, step: string | null): string {
  if (status === "processing" && step) return `Processing: ${step.replace(/_/g, " ")}`;
  return { received: "Received", processing: "Processing", completed: "Ready", failed: "Failed" }[status] ?? status;
}
