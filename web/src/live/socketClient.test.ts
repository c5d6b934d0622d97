import { ApiError } from "../api/errors";
import { LiveSocket, type SocketLike, type Timers } from "./socketClient";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
  opened() {
    this.readyState = 1;
    this.onopen?.({});
  }
  dropped() {
    this.readyState = 3;
    this.onclose?.({ code: 1001 });
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

/** Timers the test advances by hand: no waiting on the wall clock. */
class ManualTimers implements Timers {
  now = 0;
  private next = 1;
  private jobs = new Map<number, { at: number; run: () => void; every: number | null }>();
  setTimeout(run: () => void, ms: number) {
    const id = this.next++;
    this.jobs.set(id, { at: this.now + ms, run, every: null });
    return id;
  }
  setInterval(run: () => void, ms: number) {
    const id = this.next++;
    this.jobs.set(id, { at: this.now + ms, run, every: ms });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.jobs.delete(handle as number);
  }
  clearInterval(handle: unknown) {
    this.jobs.delete(handle as number);
  }
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.jobs.entries()].filter(([, job]) => job.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, job] = due;
      this.now = job.at;
      if (job.every === null) this.jobs.delete(id);
      else job.at += job.every;
      job.run();
    }
    this.now = end;
  }
}

function setUp(token = "tok") {
  const sockets: FakeSocket[] = [];
  const timers = new ManualTimers();
  const live = new LiveSocket({
    url: "ws://host/ws",
    token: () => token,
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    timers,
    heartbeatMs: 240_000,
    reconnectDelaysMs: [1000, 5000],
  });
  return { live, sockets, timers, last: () => sockets[sockets.length - 1]! };
}

describe("LiveSocket", () => {
  it("passes the token in the URL and subscribes once open", () => {
    const { live, last } = setUp("a.b.c");
    live.subscribe("session-1");
    live.start();
    expect(last().url).toBe("ws://host/ws?token=a.b.c");
    expect(last().sent).toEqual([]);
    last().opened();
    expect(last().sent).toEqual([{ action: "subscribe", id: expect.any(String), session_id: "session-1" }]);
  });

  it("pings every heartbeat interval while open, and not after it closed", () => {
    const { live, last, timers } = setUp();
    live.start();
    last().opened();
    timers.advance(240_000 * 2);
    expect(last().sent.filter((f) => f["action"] === "ping")).toHaveLength(2);
    live.stop();
    timers.advance(240_000 * 3);
    expect(last().sent.filter((f) => f["action"] === "ping")).toHaveLength(2);
  });

  it("reconnects after a drop, backing off, and subscribes again", () => {
    const { live, sockets, timers, last } = setUp();
    live.subscribe();
    live.start();
    last().opened();
    last().dropped();
    expect(sockets).toHaveLength(1);
    timers.advance(999);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
    last().dropped();
    timers.advance(4999);
    expect(sockets).toHaveLength(2);
    timers.advance(1);
    expect(sockets).toHaveLength(3);
    last().opened();
    expect(last().sent).toEqual([{ action: "subscribe", id: expect.any(String) }]);
  });

  it("does not reconnect once stopped", () => {
    const { live, sockets, timers, last } = setUp();
    live.start();
    last().opened();
    live.stop();
    last().dropped();
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("hands pushes to listeners and reports the connection state", () => {
    const { live, last } = setUp();
    const pushes: unknown[] = [];
    const states: string[] = [];
    live.onPush((push) => pushes.push(push));
    live.onState((state) => states.push(state));
    live.start();
    last().opened();
    last().receive({ type: "step_started", session_id: "s1", step: "parse" });
    last().receive({ type: "pong", id: "p9" });
    expect(pushes).toEqual([{ type: "step_started", session_id: "s1", step: "parse" }]);
    expect(states).toEqual(["connecting", "open"]);
  });

  it("matches an answer to its request, and an error frame rejects with the API's sentence", async () => {
    const { live, last } = setUp();
    live.start();
    last().opened();
    const refined = live.request("refine", { summary_id: "x", message: "shorter", expected_revision: 1 });
    const sent = last().sent.at(-1)!;
    expect(sent).toMatchObject({ action: "refine", summary_id: "x", message: "shorter" });
    last().receive({ type: "refined", id: sent["id"], reply: "Made it shorter." });
    await expect(refined).resolves.toMatchObject({ reply: "Made it shorter." });

    const stale = live.request("refine", { summary_id: "x", message: "shorter", expected_revision: 1 });
    const second = last().sent.at(-1)!;
    last().receive({ id: second["id"], error: { code: "COACH_409", message: "The summary changed.", details: {} } });
    const error = await stale.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, message: "The summary changed." });
  });

  it("rejects a request waiting for its answer when the socket drops", async () => {
    const { live, last } = setUp();
    live.start();
    last().opened();
    const waiting = live.request("refine", { summary_id: "x", message: "undo", expected_revision: 2 });
    last().dropped();
    await expect(waiting).rejects.toMatchObject({ code: "SOCKET_CLOSED" });
  });

  it("asks for a fresh token when refused before opening, and reconnects with it", async () => {
    let token = "expired";
    const sockets: FakeSocket[] = [];
    const timers = new ManualTimers();
    const live = new LiveSocket({
      url: "ws://host/ws",
      token: () => token,
      refreshToken: async () => (token = "fresh"),
      open: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      timers,
      reconnectDelaysMs: [1000],
    });
    live.start();
    sockets[0]!.dropped();
    await Promise.resolve();
    await Promise.resolve();
    timers.advance(1000);
    expect(sockets.map((s) => s.url)).toEqual(["ws://host/ws?token=expired", "ws://host/ws?token=fresh"]);
  });
});
