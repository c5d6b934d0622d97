/** Times shown in the coach's own time zone (their profile's), else the browser's. */
export function formatDateTime(iso: string | null | undefined, timeZone: string | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}

/** A calendar date (YYYY-MM-DD) has no zone: shown as written, never shifted a day. */
export function formatDate(day: string | null | undefined): string {
  if (!day) return "—";
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/**
 * A due day as a coach reads it at a glance: "Fri 4 Dec", with the year when it is not this
 * year's ("Fri 7 Mar 2025"). A calendar date: never shifted by a zone.
 */
export function formatDueDay(day: string, today: Date = new Date()): string {
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (Number.isNaN(date.getTime())) return day;
  const sameYear = y === today.getFullYear();
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: sameYear ? undefined : "numeric",
    timeZone: "UTC",
  })
    .format(date)
    .replace(",", "");
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes} min ${whole % 60} s` : `${whole} s`;
}

/** A local datetime-input value ("2030-01-02T09:00") in a zone, as an ISO time with its offset. */
export function zonedIsoFromLocalInput(value: string, timeZone: string): string {
  const [datePart, timePart] = value.split("T");
  const [y, mo, d] = (datePart ?? "").split("-").map(Number);
  const [h, mi] = (timePart ?? "").split(":").map(Number);
  const asUtc = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0);
  const offsetMinutes = zoneOffsetMinutes(new Date(asUtc), timeZone);
  // The offset at the wanted wall time (one correction covers a DST change in between).
  const corrected = zoneOffsetMinutes(new Date(asUtc - offsetMinutes * 60000), timeZone);
  const sign = corrected >= 0 ? "+" : "-";
  const abs = Math.abs(corrected);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${datePart}T${pad(h ?? 0)}:${pad(mi ?? 0)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((wall - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}
