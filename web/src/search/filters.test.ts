import { chipsFor, searchWithout, withoutWords, wordsOf } from "./filters";
import type { AppliedFilters } from "./types";

// As the API answers "Marcus challenges last month" for a coach.
const applied: AppliedFilters = {
  client_ids: ["cli-1"],
  client_names: ["Marcus Lee"],
  // The caller's own visibility: not a filter they chose, so never a chip.
  coach_ids: ["coach-1"],
  coach_names: ["Dana"],
  kinds: ["challenge"],
  session_types: null,
  date_from: "2026-10-01",
  date_to: "2026-10-31",
  understood: [
    { field: "client_ids", value: "cli-1", label: "Marcus Lee", words: "Marcus" },
    { field: "kinds", value: "challenge", label: "challenges", words: "challenges" },
    { field: "dates", value: "2026-10-01..2026-10-31", label: "last month", words: "last month" },
  ],
};
const QUESTION = "Marcus challenges with delegation last month";

describe("filter chips", () => {
  it("shows every filter the question set, with the words it was read from, and not the caller's visibility", () => {
    const chips = chipsFor(applied, undefined);
    expect(chips.map((c) => [c.label, c.words])).toEqual([
      ["Client: Marcus Lee", "Marcus"],
      ["Only challenges", "challenges"],
      [expect.stringMatching(/^Dates: /), "last month"],
    ]);
  });

  it("shows a coach the request named, and nothing when nothing is applied", () => {
    expect(chipsFor(applied, { coach_ids: ["coach-1"] }).find((c) => c.field === "coach")?.label).toBe("Coach: Dana");
    const none = {
      ...applied,
      client_ids: null,
      coach_ids: null,
      kinds: null,
      date_from: null,
      date_to: null,
      understood: [],
    };
    expect(chipsFor(none, undefined)).toEqual([]);
  });

  it("removing a chip sends the other chips' filters explicitly and takes its words out of the question", () => {
    const chips = chipsFor(applied, undefined);
    const [client, , dates] = chips;
    expect(searchWithout(QUESTION, chips, client!)).toEqual({
      query: "challenges with delegation last month",
      filters: { kinds: ["challenge"], date_from: "2026-10-01", date_to: "2026-10-31" },
    });
    expect(searchWithout(QUESTION, chips, dates!)).toEqual({
      query: "Marcus challenges with delegation",
      filters: { client_ids: ["cli-1"], kinds: ["challenge"] },
    });
  });

  it("keeps a chip's words once its filter is sent explicitly (no longer 'understood'), so removing it later still works", () => {
    const first = chipsFor(applied, undefined);
    const known = wordsOf(first, {});
    const next = searchWithout(QUESTION, first, first[0]!);
    // The next answer: the request set kinds and dates, so the server lists nothing as understood.
    const answered = { ...applied, client_ids: null, client_names: [], understood: [] };
    const chips = chipsFor(answered, next.filters, known);
    const dates = chips.find((c) => c.field === "dates")!;
    expect(dates.words).toBe("last month");
    expect(searchWithout(next.query, chips, dates)).toEqual({
      query: "challenges with delegation",
      filters: { kinds: ["challenge"] },
    });
  });

  it("takes out a phrase whatever its case, once, and leaves a question it is not in alone", () => {
    expect(withoutWords("Since March, who struggled", "since march,")).toBe("who struggled");
    expect(withoutWords("who struggled", "Marcus")).toBe("who struggled");
    expect(withoutWords("Marcus and Marcus", "marcus")).toBe("and Marcus");
  });
});
