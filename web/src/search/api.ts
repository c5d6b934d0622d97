import type { Api } from "../api/client";
import { unwrap } from "../api/client";
import type { SearchAnswer, SearchRequest, Suggestion } from "./types";

export async function search(api: Api, request: SearchRequest): Promise<SearchAnswer> {
  return unwrap(await api.POST("/v1/search", { body: request }));
}

export async function similar(api: Api, passageId: string, limit: number): Promise<SearchAnswer> {
  return unwrap(await api.POST("/v1/search/similar", { body: { passage_id: passageId, limit } }));
}

export async function suggest(api: Api, q: string): Promise<Suggestion[]> {
  return unwrap(await api.GET("/v1/search/suggest", { params: { query: { q } } })).suggestions;
}
