/** The schedule builder a coach uses (daily / weekly on a weekday / monthly on a day, at an
 * hour of their time zone) and the standard five-field cron it writes. A cron the builder
 * cannot say is kept as written, in the "advanced" field. */
export type Frequency = "daily" | "weekly" | "monthly";

export interface Plan {
  frequency: Frequency;
  /** 0–23, in the schedule's time zone. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday, as cron counts them (weekly only). */
  weekday: number;
  /** 1–28: every month has it (monthly only). */
  dayOfMonth: number;
}

export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const LAST_DAY_OF_MONTH = 28;

export const DEFAULT_PLAN: Plan = { frequency: "weekly", hour: 6, weekday: 1, dayOfMonth: 1 };

export function cronFrom(plan: Plan): string {
  const hour = String(plan.hour);
  switch (plan.frequency) {
    case "daily":
      return `0 ${hour} * * *`;
    case "weekly":
      return `0 ${hour} * * ${plan.weekday}`;
    case "monthly":
      return `0 ${hour} ${plan.dayOfMonth} * *`;
  }
}

const NUMBER = /^\d{1,2}$/;

function within(text: string, low: number, high: number): number | null {
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return value >= low && value <= high ? value : null;
}

/** The plan a cron says, or null when the builder cannot say it (it stays "advanced"). */
export function planFrom(cron: string): Plan | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute, hourText, day, month, weekday] = fields as [string, string, string, string, string];
  const hour = within(hourText, 0, 23);
  if (minute !== "0" || hour === null || month !== "*") return null;
  if (day === "*" && weekday === "*") return { ...DEFAULT_PLAN, frequency: "daily", hour };
  if (day === "*") {
    // Cron also counts Sunday as 7.
    const dayOfWeek = within(weekday, 0, 7);
    return dayOfWeek === null ? null : { ...DEFAULT_PLAN, frequency: "weekly", hour, weekday: dayOfWeek % 7 };
  }
  if (weekday === "*") {
    const dayOfMonth = within(day, 1, LAST_DAY_OF_MONTH);
    return dayOfMonth === null ? null : { ...DEFAULT_PLAN, frequency: "monthly", hour, dayOfMonth };
  }
  return null;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A schedule in words: "Every Monday at 06:00 (Europe/London)"; a cron the builder cannot
 * say is shown as itself. */
export function describeCron(cron: string, timeZone: string): string {
  const plan = planFrom(cron);
  const zone = ` (${timeZone})`;
  if (!plan) return `Cron “${cron}”${zone}`;
  const at = `at ${pad(plan.hour)}:00`;
  switch (plan.frequency) {
    case "daily":
      return `Every day ${at}${zone}`;
    case "weekly":
      return `Every ${WEEKDAYS[plan.weekday]} ${at}${zone}`;
    case "monthly":
      return `On day ${plan.dayOfMonth} of every month ${at}${zone}`;
  }
}

/** A quick check before the server's own (which validates with a cron library): five fields
 * of cron characters. */
export function looksLikeCron(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field) => /^[\d*/,\-A-Za-z?]+$/.test(field));
}
