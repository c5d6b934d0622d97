import { formatDate, formatSeconds, zonedIsoFromLocalInput } from "./time";

describe("times in the coach's zone", () => {
  it("turns a wall time in a zone into an ISO time with that zone's offset, DST included", () => {
    expect(zonedIsoFromLocalInput("2030-01-02T09:00", "Europe/Berlin")).toBe("2030-01-02T09:00:00+01:00");
    expect(zonedIsoFromLocalInput("2030-07-02T09:00", "Europe/Berlin")).toBe("2030-07-02T09:00:00+02:00");
    expect(zonedIsoFromLocalInput("2030-07-02T09:30", "America/New_York")).toBe("2030-07-02T09:30:00-04:00");
    expect(zonedIsoFromLocalInput("2030-07-02T09:30", "UTC")).toBe("2030-07-02T09:30:00+00:00");
  });

  it("never shifts a calendar date by a day", () => {
    expect(formatDate("2026-11-30")).toContain("30");
  });

  it("reads durations", () => {
    expect(formatSeconds(125)).toBe("2 min 5 s");
    expect(formatSeconds(null)).toBe("—");
  });
});
