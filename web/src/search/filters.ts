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

/** The chip fields an understood filter's field names ("client", "client_ids", "date_from"…). */
function fieldsOf(understood: UnderstoodFilter): Chip["field"][] {
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

/** Every filter the answer applied because the question or the coach asked for it, as chips.
 * `explicit` is what the request sent: the coaches it named are chips, the caller's own
 * visibility (also in the answer's coach_ids) is not. */
export function chipsFor(applied: AppliedFilters, explicit: SearchFilters | undefined): Chip[] {
  const understoodFor = (field: Chip["field"], value: string) => {
    const matches = applied.understood.filter((u) => fieldsOf(u).includes(field));
    // A range understood as one ("last month") matches either end; a list matches by value.
    return matches.find((u) => u.value === value) ?? (field.startsWith("date") ? matches[0] : undefined);
  };
  const chip = (field: Chip["field"], value: string, label: string): Chip => ({
    field,
    value,
    label,
    words: understoodFor(field, value)?.words ?? null,
  });
  const named = (ids: string[] | null, names: string[], field: "client" | "coach") =>
    (ids ?? []).map((id, i) => ({ id, name: understoodFor(field, id)?.label ?? names[i] ?? id }));
  const chosenCoaches = new Set([
    ...applied.understood.filter((u) => fieldsOf(u).includes("coach")).map((u) => u.value),
    ...(explicit?.coach_ids ?? []),
  ]);
  return [
    ...named(applied.client_ids, applied.client_names, "client").map((c) => chip("client", c.id, `Client: ${c.name}`)),
    ...named(applied.coach_ids, applied.coach_names, "coach")
      .filter((c) => chosenCoaches.has(c.id))
      .map((c) => chip("coach", c.id, `Coach: ${c.name}`)),
    ...(applied.kinds ?? []).map((kind) => chip("kind", kind, `Only ${kindLabel(kind)}`)),
    ...(applied.session_types ?? []).map((type) => chip("session_type", type, `Session type: ${type}`)),
    ...(applied.date_from ? [chip("date_from", applied.date_from, `From ${formatDate(applied.date_from)}`)] : []),
    ...(applied.date_to ? [chip("date_to", applied.date_to, `Until ${formatDate(applied.date_to)}`)] : []),
  ];
}

/** The filters to send once a chip is removed: every other chip's, explicitly, and the removed
 * one's field cleared explicitly (`[]`, or null for a date) so the server does not understand
 * it from the question again. Fields that had no chip stay unsent: nothing to keep or clear. */
export function filtersWithout(chips: Chip[], removed: Chip): SearchFilters {
  const kept = chips.filter((chip) => !(chip.field === removed.field && chip.value === removed.value));
  const filters: SearchFilters = {};
  const list = (key: "client_ids" | "coach_ids" | "kinds" | "session_types", field: Chip["field"]) => {
    const values = kept.filter((chip) => chip.field === field).map((chip) => chip.value);
    if (values.length > 0 || removed.field === field) filters[key] = values;
  };
  const date = (key: "date_from" | "date_to") => {
    const value = kept.find((chip) => chip.field === key)?.value;
    if (value !== undefined) filters[key] = value;
    else if (removed.field === key) filters[key] = null;
  };
  list("client_ids", "client");
  list("coach_ids", "coach");
  list("kinds", "kind");
  list("session_types", "session_type");
  date("date_from");
  date("date_to");
  return filters;
}
