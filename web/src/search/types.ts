import type { Schemas } from "../api/client";

/** The search API's shapes, from the generated schema (POST /v1/search, /v1/search/similar,
 * GET /v1/search/suggest). */
export type SearchFilters = Schemas["Filters"];
export type SearchRequest = Schemas["SearchBody"];
export type SearchResult = Schemas["SearchResult"];
export type UnderstoodFilter = Schemas["Understood"];
/** The filters an answer applied (null: none on that field). coach_ids also carries the
 * caller's own visibility (a coach's own id, a lead's team), which is not a filter they chose. */
export type AppliedFilters = Schemas["AppliedFilters"];
export type SearchAnswer = Schemas["SearchAnswer"];
export type Suggestion = Schemas["Suggestion"];
export type PassageKind = SearchResult["kind"];
