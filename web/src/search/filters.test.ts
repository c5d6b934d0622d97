import { chipsFor, filtersWithout } from "./filters";
import type { AppliedFilters } from "./types";

const applied: AppliedFilters = {
  client_ids: ["cli-1"],
  client_names: ["Marcus Lee"],
  coach_ids: [],
  coach_names: [],
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
    expect(chipsFor(applied).map((c) => [c.field, c.value, c.words])).toEqual([
      ["client", "cli-1", "Marcus"],
      ["kind", "challenge", null],
      ["date_from", "2026-10-01", "last month"],
      ["date_to", "2026-10-31", "last month"],
    ]);
    expect(chipsFor(applied)[0]!.label).toBe("Client: Marcus Lee");
    expect(chipsFor(applied)[1]!.label).toBe("Only challenges");
  });

  it("removing a chip sends every other filter explicitly, the removed one cleared", () => {
    const [client, , from] = chipsFor(applied);
    expect(filtersWithout(applied, client!)).toEqual({
      client_ids: [],
      coach_ids: [],
      kinds: ["challenge"],
      session_types: [],
      date_from: "2026-10-01",
      date_to: "2026-10-31",
    });
    expect(filtersWithout(applied, from!)).toMatchObject({ client_ids: ["cli-1"], date_from: null });
  });
});
