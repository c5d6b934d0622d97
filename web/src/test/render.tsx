import { MantineProvider } from "@mantine/core";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { AuthProvider } from "../auth/AuthContext";
import { LiveProvider } from "../live/LiveContext";
import type { SocketLike } from "../live/socketClient";

export type Handler = (request: Request) => Promise<Response> | Response;

export function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** A fetch that answers by "METHOD /path"; anything unexpected fails the test loudly. */
export function fakeFetch(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetcher = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    const text = await request.clone().text();
    calls.push({
      method: request.method,
      path: url.pathname + url.search,
      body: text ? (JSON.parse(text) as unknown) : null,
    });
    const handler = routes[key];
    if (!handler) throw new Error(`unexpected request ${key}`);
    return handler(request);
  });
  vi.stubGlobal("fetch", fetcher);
  return calls;
}

/** A token whose claims name the role, as the API's tokens do (never verified here). */
export function tokenFor(role: string, coachId: string | null = "coach-1"): string {
  const claims = { sub: "user-1", "custom:role": role, ...(coachId ? { "custom:coach_id": coachId } : {}) };
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "none" })}.${encode(claims)}.sig`;
}

export function signInAs(role: string, coachId: string | null = "coach-1") {
  sessionStorage.setItem(
    "coaching.tokens",
    JSON.stringify({
      access_token: tokenFor(role, coachId),
      refresh_token: "refresh-1",
      expires_in: 900,
      token_type: "Bearer",
    }),
  );
}

/** A socket that never opens: pages fall back to REST. */
export const closedSocket = (): SocketLike => ({
  readyState: 0,
  send: () => {},
  close: () => {},
  onopen: null,
  onclose: null,
  onmessage: null,
});

export function renderPage(
  path: string,
  route: string,
  page: ReactNode,
  openSocket: (url: string) => SocketLike = closedSocket,
  // "test" turns Mantine's transitions off: a dropdown opened while typing shows at once in jsdom.
  mantineEnv: "default" | "test" = "default",
) {
  return render(
    <MantineProvider env={mantineEnv}>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider config={{ apiBaseUrl: "http://api.test", webSocketUrl: "ws://api.test/ws", signIn: "local" }}>
          <LiveProvider openSocket={openSocket}>
            <Routes>
              <Route path={route} element={page} />
              <Route path="/" element={<h1>Dashboard</h1>} />
              <Route path="/sign-in" element={<h1>Sign in</h1>} />
            </Routes>
          </LiveProvider>
        </AuthProvider>
      </MemoryRouter>
    </MantineProvider>,
  );
}
