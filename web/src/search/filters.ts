import { formatDate } from "../common/time";
import type { AppliedFilters, PassageKind, SearchFilters, UnderstoodFilter } from "./types";

/** One filter the search applied, shown as a removable chip. */
export interface Chip {
  field: "client" | "coach" | "kind" | "session_type" | "dates";
  value: string;
  label: string;
  /** The words of the question it was understood from, when it was. */
  words: string | null;
}

/** Words a chip was understood from, kept by chip across searches (a filter sent explicitly
 * is no longer "understood" in the answer, but its words are still in the question). */
export type ChipWords = Record<string, string>;

export const chipKey = (chip: Pick<Chip, "field" | "value">) => `${chip.field}:${chip.value}`;

const KIND_LABEL: Record<string, string> = {
  passage: "transcript passages",
  win: "wins",
  challenge: "challenges",
  action_item: "action items",
  recommendation: "recommendations",
  overview: "overviews",
};

export const kindLabel = (kind: string) => KIND_LABEL[kind] ?? kind.replace(/_/g, " ");

/** The chip field of an understood filter ("client_ids", "coach_ids", "kinds", "session_types", "dates"). */
function fieldOf(understood: UnderstoodFilter): Chip["field"] | null {
  const field = understood.field.toLowerCase();
  if (field.startsWith("client")) return "client";
  if (field.startsWith("coach")) return "coach";
  if (field.startsWith("kind")) return "kind";
  if (field.startsWith("session_type")) return "session_type";
  if (field.startsWith("date")) return "dates";
  return null;
}

function dateRangeLabel(from: string | null, to: string | null): string {
  if (from && to) return from === to ? `On ${formatDate(from)}` : `${formatDate(from)} – ${formatDate(to)}`;
  return from ? `Since ${formatDate(from)}` : `Until ${formatDate(to)}`;
}

/** Every filter the answer applied because the question or the coach asked for it, as chips.
 * `explicit` is what the request sent: the coaches it named are chips, the caller's own
 * visibility (also in the answer's coach_ids) is not. */
export function chipsFor(
  applied: AppliedFilters,
  explicit: SearchFilters | null | undefined,
  known: ChipWords = {},
): Chip[] {
  const understood = (field: Chip["field"], value?: string) =>
    applied.understood.find((u) => fieldOf(u) === field && (value === undefined || u.value === value));
  const chip = (field: Chip["field"], value: string, label: string, from?: UnderstoodFilter): Chip => ({
    field,
    value,
    label,
    words: from?.words ?? known[chipKey({ field, value })] ?? null,
  });
  const named = (field: "client" | "coach", ids: string[] | null, names: string[]) =>
    (ids ?? []).map((id, i) => {
      const from = understood(field, id);
      return chip(field, id, `${field === "client" ? "Client" : "Coach"}: ${from?.label ?? names[i] ?? id}`, from);
    });
  const chosenCoaches = new Set([
    ...applied.understood.filter((u) => fieldOf(u) === "coach").map((u) => u.value),
    ...(explicit?.coach_ids ?? []),
  ]);
  const chips = [
    ...named("client", applied.client_ids, applied.client_names),
    ...named("coach", applied.coach_ids, applied.coach_names).filter((c) => chosenCoaches.has(c.value)),
    ...(applied.kinds ?? []).map((kind) => chip("kind", kind, `Only ${kindLabel(kind)}`, understood("kind", kind))),
    ...(applied.session_types ?? []).map((type) =>
      chip("session_type", type, `Session type: ${type}`, understood("session_type", type)),
    ),
  ];
  if (applied.date_from || applied.date_to) {
    // The dates read from a question are one range (several phrases narrow it): one chip.
    const range = `${applied.date_from ?? ""}..${applied.date_to ?? ""}`;
    const from = understood("dates");
    chips.push(chip("dates", range, `Dates: ${dateRangeLabel(applied.date_from, applied.date_to)}`, from));
  }
  return chips;
}

/** The search again without one chip: the other chips' filters sent explicitly (they win over
 * the question), and the removed chip's words taken out of the question so the server does not
 * read that filter from it again. */
export function searchWithout(query: string, chips: Chip[], removed: Chip): { query: string; filters: SearchFilters } {
  const kept = chips.filter((chip) => chipKey(chip) !== chipKey(removed));
  const filters: SearchFilters = {};
  const values = (field: Chip["field"]) => kept.filter((chip) => chip.field === field).map((chip) => chip.value);
  const set = <K extends "client_ids" | "coach_ids" | "kinds" | "session_types">(key: K, list: SearchFilters[K]) => {
    if (list && list.length > 0) filters[key] = list;
  };
  set("client_ids", values("client"));
  set("coach_ids", values("coach"));
  // A kind or session type chip's value is one the answer itself applied.
  set("kinds", values("kind") as PassageKind[]);
  set("session_types", values("session_type") as NonNullable<SearchFilters["session_types"]>);
  const dates = kept.find((chip) => chip.field === "dates");
  if (dates) {
    const [from, to] = dates.value.split("..");
    if (from) filters.date_from = from;
    if (to) filters.date_to = to;
  }
  return { query: withoutWords(query, removed.words) || query, filters };
}

/** The question with one phrase taken out (the first, whatever its case), spaces tidied. */
export function withoutWords(query: string, words: string | null): string {
  if (!words) return query;
  const at = query.toLowerCase().indexOf(words.toLowerCase());
  if (at < 0) return query;
  return `${query.slice(0, at)} ${query.slice(at + words.length)}`.replace(/\s+/g, " ").trim();
}

/** The words of every chip, to carry to the next search. */
export function wordsOf(chips: Chip[], known: ChipWords): ChipWords {
  const words: ChipWords = { ...known };
  for (const chip of chips) if (chip.words) words[chipKey(chip)] = chip.words;
  return words;
}
