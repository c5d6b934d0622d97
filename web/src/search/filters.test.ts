import { chipsFor, filtersWithout } from "./filters";
import type { AppliedFilters } from "./types";

const applied: AppliedFilters = {
  client_ids: ["cli-1"],
  client_names: ["Marcus Lee"],
  // The caller's own visibility: not a filter they chose, so never a chip.
  coach_ids: ["coach-1"],
  coach_names: ["Dana"],
  kinds: ["challenge"],
  session_types: [],
  date_from: "2026-10-01",
  date_to: "2026-10-31",
  understood: [
    { field: "client_ids", value: "cli-1", label: "Marcus Lee", words: "Marcus" },
    { field: "date_from", value: "2026-10-01", label: "last month", words: "last month" },
    { field: "date_to", value: "2026-10-31", label: "last month", words: "last month" },
  ],
};

describe("filter chips", () => {
  it("shows every applied filter, with the words it was understood from", () => {
    expect(chipsFor(applied, undefined).map((c) => [c.field, c.value, c.words])).toEqual([
      ["client", "cli-1", "Marcus"],
      ["kind", "challenge", null],
      ["date_from", "2026-10-01", "last month"],
      ["date_to", "2026-10-31", "last month"],
    ]);
    expect(chipsFor(applied, undefined)[0]!.label).toBe("Client: Marcus Lee");
    expect(chipsFor(applied, undefined)[1]!.label).toBe("Only challenges");
  });

  it("shows a coach the request named, and none when nothing is applied", () => {
    expect(chipsFor(applied, { coach_ids: ["coach-1"] }).find((c) => c.field === "coach")?.label).toBe("Coach: Dana");
    const none = {
      ...applied,
      client_ids: null,
      coach_ids: null,
      kinds: null,
      session_types: null,
      date_from: null,
      date_to: null,
      understood: [],
    };
    expect(chipsFor(none, undefined)).toEqual([]);
  });

  it("removing a chip sends every other chip's filter explicitly and clears the removed one's field", () => {
    const chips = chipsFor(applied, undefined);
    const [client, , from] = chips;
    expect(filtersWithout(chips, client!)).toEqual({
      client_ids: [],
      kinds: ["challenge"],
      date_from: "2026-10-01",
      date_to: "2026-10-31",
    });
    expect(filtersWithout(chips, from!)).toEqual({
      client_ids: ["cli-1"],
      kinds: ["challenge"],
      date_from: null,
      date_to: "2026-10-31",
    });
  });
});
