import { formatDate } from "../common/time";
import type { AppliedFilters, SearchFilters, UnderstoodFilter } from "./types";

/** One filter the search applied, shown as a removable chip. */
export interface Chip {
  field: "client" | "coach" | "kind" | "session_type" | "date_from" | "date_to";
  value: string;
  label: string;
  /** The words of the question it was understood from, when the server understood it. */
  words: string | null;
}

const KIND_LABEL: Record<string, string> = {
  passage: "transcript passages",
  win: "wins",
  challenge: "challenges",
  action_item: "action items",
  recommendation: "recommendations",
  overview: "overviews",
};

export const kindLabel = (kind: string) => KIND_LABEL[kind] ?? kind.replace(/_/g, " ");

/** The chip field an understood filter's field names ("client_ids", "client", "date_from"…). */
function fieldOf(understood: UnderstoodFilter): Chip["field"][] {
  const field = understood.field.toLowerCase();
  if (field.startsWith("client")) return ["client"];
  if (field.startsWith("coach")) return ["coach"];
  if (field.startsWith("kind")) return ["kind"];
  if (field.startsWith("session_type")) return ["session_type"];
  if (field === "date_from") return ["date_from"];
  if (field === "date_to") return ["date_to"];
  if (field.startsWith("date")) return ["date_from", "date_to"];
  return [];
}

/** Every filter the answer applied, as chips; what was understood from the question says so. */
export function chipsFor(applied: AppliedFilters): Chip[] {
  const wordsFor = (field: Chip["field"], value: string) => {
    const matches = applied.understood.filter((u) => fieldOf(u).includes(field));
    // A range understood as one ("last month") matches either end; a list matches by value.
    const match = matches.find((u) => u.value === value) ?? (field.startsWith("date") ? matches[0] : undefined);
    return match?.words ?? null;
  };
  const chip = (field: Chip["field"], value: string, label: string): Chip => ({
    field,
    value,
    label,
    words: wordsFor(field, value),
  });
  return [
    ...applied.client_ids.map((id, i) => chip("client", id, `Client: ${applied.client_names[i] ?? id}`)),
    ...applied.coach_ids.map((id, i) => chip("coach", id, `Coach: ${applied.coach_names[i] ?? id}`)),
    ...applied.kinds.map((kind) => chip("kind", kind, `Only ${kindLabel(kind)}`)),
    ...applied.session_types.map((type) => chip("session_type", type, `Session type: ${type}`)),
    ...(applied.date_from ? [chip("date_from", applied.date_from, `From ${formatDate(applied.date_from)}`)] : []),
    ...(applied.date_to ? [chip("date_to", applied.date_to, `Until ${formatDate(applied.date_to)}`)] : []),
  ];
}

/** The filters to send once a chip is removed: every other applied filter, sent explicitly
 * (explicit filters win over what the server would understand from the question again). */
export function filtersWithout(applied: AppliedFilters, removed: Chip): Required<SearchFilters> {
  const keep = (field: Chip["field"], values: string[]) =>
    values.filter((value) => !(removed.field === field && removed.value === value));
  return {
    client_ids: keep("client", applied.client_ids),
    coach_ids: keep("coach", applied.coach_ids),
    kinds: keep("kind", applied.kinds),
    session_types: keep("session_type", applied.session_types),
    date_from: removed.field === "date_from" ? null : applied.date_from,
    date_to: removed.field === "date_to" ? null : applied.date_to,
  };
}
