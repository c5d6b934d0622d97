/** Following an export job until it ends: ask, wait, ask again — each wait longer than the
 * last (up to a ceiling), so a long export costs a few requests a minute, never a busy loop. */
export const FIRST_WAIT_MS = 1000;
export const MAX_WAIT_MS = 10_000;
const GROWTH = 1.5;

export type Wait = (ms: number, signal: AbortSignal) => Promise<void>;

/** A job has ended when it succeeded or failed; queued and running go on. */
export const isFinished = (status: string) => status === "succeeded" || status === "failed";

/** The waits between asks: 1 s, 1.5 s, 2.25 s, … up to 10 s. */
export function backoff(attempt: number): number {
  return Math.min(MAX_WAIT_MS, Math.round(FIRST_WAIT_MS * GROWTH ** attempt));
}

export const timerWait: Wait = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Asks for the job until it has finished; each answer goes to `onUpdate`. Resolves with the
 * finished job; rejects when asking fails (the caller shows why) or `signal` aborts (the page
 * was left). */
export async function followJob<J extends { status: string }>(
  load: () => Promise<J>,
  onUpdate: (job: J) => void,
  signal: AbortSignal,
  wait: Wait = timerWait,
): Promise<J> {
  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    const job = await load();
    if (signal.aborted) throw signal.reason;
    onUpdate(job);
    if (isFinished(job.status)) return job;
    await wait(backoff(attempt), signal);
  }
}
