import type { Destination, ExportFormat, ExportJob, JobStatus } from "./types";

export const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: "csv", label: "CSV (one file per kind of record)" },
  { value: "json", label: "JSON (one document)" },
  { value: "jsonl", label: "JSON Lines" },
  { value: "parquet", label: "Parquet (for data tools)" },
];

/** "" is no mapping: the platform's own column names. */
export const READY_MAPPINGS: { value: string; label: string }[] = [
  { value: "", label: "None (the platform's own columns)" },
  { value: "hubspot", label: "HubSpot" },
  { value: "salesforce", label: "Salesforce" },
];

export function mappingOptions(saved: string[]): { value: string; label: string }[] {
  const ready = new Set(READY_MAPPINGS.map((m) => m.value));
  return [...READY_MAPPINGS, ...saved.filter((name) => !ready.has(name)).map((name) => ({ value: name, label: name }))];
}

export const DESTINATIONS: { value: Destination; label: string }[] = [
  { value: "download", label: "Files to download" },
  { value: "hubspot", label: "Straight into HubSpot" },
  { value: "salesforce", label: "Straight into Salesforce" },
];

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: "Waiting to start",
  running: "Running",
  succeeded: "Ready",
  failed: "Failed",
};

export const labelOf = (options: { value: string; label: string }[], value: string | null | undefined) =>
  options.find((o) => o.value === (value ?? ""))?.label ?? value ?? "—";

/** What to do after a failed export, said after the server's own reason. */
export const AFTER_A_FAILURE =
  "Try again in a few minutes. If it fails again, try a later “since” date (fewer records), or ask your administrator to look at the export's log.";

/** A job's rows so far (every entity's), from its counts, else its files. */
export function rowsOf(job: ExportJob): number {
  const counts = Object.values(job.row_counts ?? {});
  if (counts.length > 0) return counts.reduce((sum, n) => sum + n, 0);
  return (job.files ?? []).reduce((sum, file) => sum + file.rows, 0);
}

const number = new Intl.NumberFormat("en");

/** "1,204 rows", "1 row". */
export const rowsLabel = (rows: number) => `${number.format(rows)} ${rows === 1 ? "row" : "rows"}`;

const UNITS = ["KB", "MB", "GB", "TB"];

/** A file's size as people read it: "900 B", "88 KB", "2.4 MB" (1 KB = 1,024 bytes). */
export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${number.format(bytes)} B`;
  let size = bytes / 1024;
  let unit = 0;
  while (size >= 1024 && unit < UNITS.length - 1) {
    size /= 1024;
    unit += 1;
  }
  const digits = size < 10 ? 1 : 0;
  return `${size.toLocaleString("en", { maximumFractionDigits: digits })} ${UNITS[unit]}`;
}
