import { DEFAULT_PLAN, LAST_DAY_OF_MONTH, cronFrom, describeCron, looksLikeCron, planFrom, type Plan } from "./cron";

describe("the schedule builder's cron", () => {
  it("writes daily, weekly and monthly plans as standard five-field crons", () => {
    expect(cronFrom({ ...DEFAULT_PLAN, frequency: "daily", hour: 7 })).toBe("0 7 * * *");
    expect(cronFrom({ ...DEFAULT_PLAN, frequency: "weekly", hour: 6, weekday: 1 })).toBe("0 6 * * 1");
    expect(cronFrom({ ...DEFAULT_PLAN, frequency: "monthly", hour: 23, dayOfMonth: 15 })).toBe("0 23 15 * *");
  });

  it("reads back every plan it can write (the round trip)", () => {
    const plans: Plan[] = [];
    for (let hour = 0; hour < 24; hour++) {
      plans.push({ ...DEFAULT_PLAN, frequency: "daily", hour });
      for (let weekday = 0; weekday < 7; weekday++) plans.push({ ...DEFAULT_PLAN, frequency: "weekly", hour, weekday });
      for (let day = 1; day <= LAST_DAY_OF_MONTH; day++)
        plans.push({ ...DEFAULT_PLAN, frequency: "monthly", hour, dayOfMonth: day });
    }
    for (const plan of plans) {
      const cron = cronFrom(plan);
      expect(planFrom(cron)).toEqual(plan);
      expect(cronFrom(planFrom(cron)!)).toBe(cron);
    }
  });

  it("takes Sunday as 7 too, and extra spaces", () => {
    expect(planFrom(" 0  6 * *  7 ")).toEqual({ ...DEFAULT_PLAN, frequency: "weekly", hour: 6, weekday: 0 });
  });

  it("leaves what it cannot say to the advanced field", () => {
    for (const cron of ["30 6 * * *", "0 */2 * * *", "0 6 1 1 *", "0 6 1 * 1", "0 6 31 * *", "0 24 * * *", "0 6 * *"])
      expect(planFrom(cron)).toBeNull();
  });

  it("says a schedule in words, in its time zone", () => {
    expect(describeCron("0 6 * * 1", "Europe/London")).toBe("Every Monday at 06:00 (Europe/London)");
    expect(describeCron("0 18 * * *", "UTC")).toBe("Every day at 18:00 (UTC)");
    expect(describeCron("0 9 1 * *", "UTC")).toBe("On day 1 of every month at 09:00 (UTC)");
    expect(describeCron("15 */4 * * 1-5", "UTC")).toBe("Cron “15 */4 * * 1-5” (UTC)");
  });

  it("checks an advanced cron's shape before the server does", () => {
    expect(looksLikeCron("15 */4 * * 1-5")).toBe(true);
    expect(looksLikeCron("0 6 * *")).toBe(false);
    expect(looksLikeCron("0 6 * * 1; rm")).toBe(false);
  });
});
