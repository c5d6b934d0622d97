import { formatDate, formatDueDay, formatSeconds, zonedIsoFromLocalInput } from "./time";

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

  it("shows a due day as a coach reads it, with the year only when it is another year's", () => {
    const today = new Date(2026, 10, 30);
    expect(formatDueDay("2026-12-04", today)).toBe("Fri 4 Dec");
    expect(formatDueDay("2025-03-07", today)).toBe("Fri 7 Mar 2025");
    expect(formatDueDay("not a day", today)).toBe("not a day");
  });

  it("reads durations", () => {
    expect(formatSeconds(125)).toBe("2 min 5 s");
    expect(formatSeconds(null)).toBe("—");
  });
});
