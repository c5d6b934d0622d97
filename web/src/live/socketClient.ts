import { ApiError, isErrorBody } from "../api/errors";

/** The part of a WebSocket this client uses (tests hand in a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export type PushKind = "step_started" | "step_finished" | "session_ready" | "session_failed" | "summary_revised";
export interface Push {
  type: PushKind;
  session_id: string;
  step?: string;
  summary_id?: string;
  revision?: number;
  [key: string]: unknown;
}
export type ConnectionState = "connecting" | "open" | "closed";

export interface LiveSocketOptions {
  /** The socket URL without the token. */
  url: string;
  token: () => string | null;
  /** Asked when a socket is refused before it opens (an expired token): a fresh one, or null. */
  refreshToken?: () => Promise<string | null>;
  open?: (url: string) => SocketLike;
  timers?: Timers;
  /** API Gateway closes a socket silent for 10 minutes: ping well before. */
  heartbeatMs?: number;
  /** Waits before each reconnection attempt; the last repeats. */
  reconnectDelaysMs?: number[];
}

const OPEN = 1;
export const HEARTBEAT_MS = 4 * 60 * 1000;
const RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10000, 30000];
const browserTimers: Timers = {
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (run, ms) => globalThis.setInterval(run, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
};

interface Waiting {
  resolve: (frame: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** One socket to /ws: pings to stay open, reconnects when closed and subscribes again,
 * hands pushes to listeners, and matches answers to requests by their id. */
export class LiveSocket {
  private socket: SocketLike | null = null;
  private heartbeat: unknown = null;
  private reconnect: unknown = null;
  private attempts = 0;
  private stopped = true;
  private nextId = 1;
  private subscription: { sessionId: string | null } | null = null;
  private readonly waiting = new Map<string, Waiting>();
  private readonly pushListeners = new Set<(push: Push) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly timers: Timers;
  private readonly openSocket: (url: string) => SocketLike;

  constructor(private readonly options: LiveSocketOptions) {
    this.timers = options.timers ?? browserTimers;
    this.openSocket = options.open ?? ((url) => new WebSocket(url) as unknown as SocketLike);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.reconnect);
    this.stopHeartbeat();
    this.socket?.close(1000);
    this.socket = null;
    this.failWaiting("The live connection was closed.");
    this.emitState("closed");
  }

  /** Pushes for every session the user may see, or only the one named; kept across reconnects. */
  subscribe(sessionId: string | null = null): void {
    this.subscription = { sessionId };
    if (this.socket?.readyState === OPEN) this.sendSubscribe();
  }

  onPush(listener: (push: Push) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Send an action and wait for its answer frame; an error frame rejects with an ApiError. */
  request(action: string, content: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.socket?.readyState !== OPEN) {
      return Promise.reject(
        new ApiError(503, "SOCKET_CLOSED", "The live connection is not open yet. Try again in a moment."),
      );
    }
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket?.send(JSON.stringify({ action, id, ...content }));
    });
  }

  private connect(): void {
    const token = this.options.token();
    const url = token ? `${this.options.url}?token=${encodeURIComponent(token)}` : this.options.url;
    this.emitState("connecting");
    const socket = this.openSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      opened = true;
      this.attempts = 0;
      this.emitState("open");
      this.startHeartbeat();
      if (this.subscription) this.sendSubscribe();
    };
    let opened = false;
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      this.failWaiting("The live connection dropped before the answer came. Try again.");
      this.emitState("closed");
      if (this.stopped) return;
      // Refused before opening: most likely the access token expired while no request renewed it.
      if (!opened && this.options.refreshToken) {
        this.options.refreshToken().then(
          () => this.scheduleReconnect(),
          () => this.scheduleReconnect(),
        );
      } else {
        this.scheduleReconnect();
      }
    };
  }

  private scheduleReconnect(): void {
    const delays = this.options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
    const delay = delays[Math.min(this.attempts, delays.length - 1)] ?? 30000;
    this.attempts += 1;
    this.reconnect = this.timers.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = this.timers.setInterval(() => {
      if (this.socket?.readyState === OPEN)
        this.socket.send(JSON.stringify({ action: "ping", id: `p${this.nextId++}` }));
    }, this.options.heartbeatMs ?? HEARTBEAT_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) this.timers.clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private sendSubscribe(): void {
    const frame: Record<string, unknown> = { action: "subscribe", id: `s${this.nextId++}` };
    if (this.subscription?.sessionId) frame["session_id"] = this.subscription.sessionId;
    this.socket?.send(JSON.stringify(frame));
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    const id = typeof frame["id"] === "string" ? frame["id"] : null;
    const waiting = id ? this.waiting.get(id) : undefined;
    if (id && waiting) {
      this.waiting.delete(id);
      if (isErrorBody(frame)) {
        const status = Number(frame.error.code.replace(/\D/g, "")) || 400;
        waiting.reject(new ApiError(status, frame.error.code, frame.error.message, frame.error.details ?? {}));
      } else {
        waiting.resolve(frame);
      }
      return;
    }
    if (typeof frame["type"] === "string" && typeof frame["session_id"] === "string") {
      for (const listener of this.pushListeners) listener(frame as unknown as Push);
    }
  }

  private failWaiting(message: string): void {
    for (const waiting of this.waiting.values()) waiting.reject(new ApiError(503, "SOCKET_CLOSED", message));
    this.waiting.clear();
  }

  private emitState(state: ConnectionState): void {
    for (const listener of this.stateListeners) listener(state);
  }
}
