/** The search API's shapes (POST /v1/search, /v1/search/similar, GET /v1/search/suggest). */
export type MatchedBy = "semantic" | "keyword" | "both";

export interface SearchFilters {
  client_ids?: string[];
  coach_ids?: string[];
  kinds?: string[];
  session_types?: string[];
  date_from?: string | null;
  date_to?: string | null;
}

export interface SearchRequest {
  query: string;
  filters?: SearchFilters;
  limit?: number;
  cursor?: string | null;
}

export interface SearchResult {
  passage_id: string;
  session_id: string;
  session_date: string | null;
  source: string | null;
  client_id: string | null;
  client: string | null;
  coach_id: string | null;
  speaker: string | null;
  kind: string;
  turn_index: number | null;
  turn_end: number | null;
  item_index: number | null;
  start: number | null;
  score: number;
  matched_by: MatchedBy;
  snippet: string;
  highlights: [number, number][];
  links: { session: string; turn: string | null; summary_item: string | null };
}

export interface UnderstoodFilter {
  field: string;
  value: string;
  label: string;
  words: string;
}

/** The filters an answer applied (null: none on that field). coach_ids also carries the
 * caller's own visibility (a coach's own id, a lead's team), which is not a filter they chose. */
export interface AppliedFilters {
  client_ids: string[] | null;
  client_names: string[];
  coach_ids: string[] | null;
  coach_names: string[];
  kinds: string[] | null;
  session_types: string[] | null;
  date_from: string | null;
  date_to: string | null;
  understood: UnderstoodFilter[];
}

export interface SearchAnswer {
  query: string;
  results: SearchResult[];
  filters: AppliedFilters;
  degraded: string[];
  next_cursor: string | null;
}

export interface Suggestion {
  kind: string;
  value: string;
  label: string;
}
