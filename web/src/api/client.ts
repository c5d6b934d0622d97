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
  const retried = new WeakSet<Request>();
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = tokens.accessToken();
      if (token && !request.url.includes("/v1/auth/")) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
    async onResponse({ request, response }) {
      // An access token lives 15 minutes: refresh once and repeat the request.
      if (response.status !== 401 || request.url.includes("/v1/auth/") || retried.has(request)) return response;
      const token = await tokens.refresh();
      if (!token) return response;
      const again = new Request(request, { headers: new Headers(request.headers) });
      again.headers.set("Authorization", `Bearer ${token}`);
      retried.add(again);
      return fetcher(again);
    },
  };
  api.use(bearer);
  return api;
}

/** The answer's data, or the API's error sentence thrown as an ApiError. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.ok) return answer.data as T;
  throw apiErrorFrom(answer.response.status, answer.error);
}
