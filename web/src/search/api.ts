import type { Api } from "../api/client";
import { unwrap } from "../api/client";
import type { SearchAnswer, SearchRequest, Suggestion } from "./types";

// Until the search routes are in the generated schema, the client is called untyped here
// (and only here); the answers are the shapes in ./types.
type Untyped = {
  POST(path: string, init: { body: unknown }): Promise<{ data?: unknown; error?: unknown; response: Response }>;
  GET(
    path: string,
    init: { params: { query: Record<string, string> } },
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
};
const untyped = (api: Api) => api as unknown as Untyped;

export async function search(api: Api, request: SearchRequest): Promise<SearchAnswer> {
  return unwrap(await untyped(api).POST("/v1/search", { body: request })) as SearchAnswer;
}

export async function similar(api: Api, passageId: string, limit: number): Promise<SearchAnswer> {
  return unwrap(
    await untyped(api).POST("/v1/search/similar", { body: { passage_id: passageId, limit } }),
  ) as SearchAnswer;
}

export async function suggest(api: Api, q: string): Promise<Suggestion[]> {
  const answer = unwrap(await untyped(api).GET("/v1/search/suggest", { params: { query: { q } } })) as {
    suggestions: Suggestion[];
  };
  return answer.suggestions;
}
