import { MAX_WAIT_MS, backoff, followJob, type Wait } from "./poll";

type Job = { id: string; status: string };

/** A job that answers the given statuses in turn, and a wait that only records. */
function scripted(statuses: string[]) {
  let asked = 0;
  const load = vi.fn(async (): Promise<Job> => ({
    id: "run-1",
    status: statuses[Math.min(asked++, statuses.length - 1)]!,
  }));
  const waits: number[] = [];
  const wait: Wait = async (ms) => {
    waits.push(ms);
  };
  return { load, waits, wait };
}

describe("following an export job", () => {
  it("asks until the job has finished, then stops", async () => {
    const { load, waits, wait } = scripted(["queued", "running", "running", "succeeded", "succeeded"]);
    const seen: string[] = [];
    const done = await followJob(load, (job) => seen.push(job.status), new AbortController().signal, wait);
    expect(done.status).toBe("succeeded");
    expect(seen).toEqual(["queued", "running", "running", "succeeded"]);
    expect(load).toHaveBeenCalledTimes(4);
    expect(waits).toHaveLength(3);
  });

  it("stops at a failure too", async () => {
    const { load, wait } = scripted(["running", "failed", "running"]);
    expect((await followJob(load, () => {}, new AbortController().signal, wait)).status).toBe("failed");
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("waits longer each time, never longer than the ceiling", async () => {
    const { load, waits, wait } = scripted([...Array(12).fill("running"), "succeeded"]);
    await followJob(load, () => {}, new AbortController().signal, wait);
    expect(waits[0]).toBe(1000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(Math.max(...waits)).toBe(MAX_WAIT_MS);
    expect(backoff(100)).toBe(MAX_WAIT_MS);
  });

  it("stops asking when the page is left", async () => {
    const controller = new AbortController();
    const { load } = scripted(["running"]);
    const wait: Wait = async () => controller.abort(new Error("left"));
    await expect(followJob(load, () => {}, controller.signal, wait)).rejects.toThrow("left");
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("passes on a failure to ask", async () => {
    const load = vi.fn(async (): Promise<Job> => {
      throw new TypeError("offline");
    });
    await expect(followJob(load, () => {}, new AbortController().signal)).rejects.toThrow("offline");
  });
});
