import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { apiErrorFrom } from "./errors";

export type Schemas = components["schemas"];
export type Api = ReturnType<typeof createClient<paths>>;

export interface TokenSource {
  accessToken(): string | null;
  /** A new access token from the refresh token, or null when the sign-in has ended. */
  refresh(): Promise<string | null>;
}

/** The typed client generated from the API's own OpenAPI document (schema.d.ts). */
export function createApi(baseUrl: string, tokens: TokenSource, fetcher: typeof fetch = (...a) => fetch(...a)): Api {
  const api = createClient<paths>({ baseUrl, fetch: fetcher });
  // A request's body is read once: keep a copy of each to repeat it after a refresh.
  const copies = new WeakMap<Request, Request>();
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = tokens.accessToken();
      if (token && !isSignIn(request)) request.headers.set("Authorization", `Bearer ${token}`);
      copies.set(request, request.clone());
      return request;
    },
    async onResponse({ request, response }) {
      // An access token lives 15 minutes: refresh once and repeat the request.
      const copy = copies.get(request);
      if (response.status !== 401 || isSignIn(request) || !copy) return response;
      const token = await tokens.refresh();
      if (!token) return response;
      copy.headers.set("Authorization", `Bearer ${token}`);
      return fetcher(copy);
    },
  };
  api.use(bearer);
  return api;
}

function isSignIn(request: Request): boolean {
  return new URL(request.url).pathname.startsWith("/v1/auth/");
}

/** The answer's data, or the API's error sentence thrown as an ApiError. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.ok) return answer.data as T;
  throw apiErrorFrom(answer.response.status, answer.error);
}
