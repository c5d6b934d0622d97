/** The export API's shapes (issue 17: /v1/export/...). */
export type ExportFormat = "json" | "jsonl" | "csv" | "parquet";
export type JobStatus = "queued" | "running" | "succeeded" | "failed";
export type Destination = "download" | "hubspot" | "salesforce";

export interface ExportFile {
  entity: string;
  path: string;
  rows: number;
  sha256: string;
  size_bytes?: number | null;
  /** A short-lived download address, once the job has succeeded. */
  url?: string | null;
}

export interface ExportJob {
  id: string;
  status: JobStatus;
  format?: string | null;
  created_at?: string | null;
  finished_at?: string | null;
  /** Rows written so far, per entity. */
  row_counts?: Record<string, number>;
  files?: ExportFile[];
  error?: string | null;
}

export interface RunRequest {
  format: ExportFormat;
  since: string | null;
  mapping: string | null;
  include_sensitive: boolean;
  bom: boolean;
}

export interface Schedule {
  id: string;
  cron: string;
  timezone: string;
  format: string;
  mapping?: string | null;
  destination: Destination;
  include_sensitive: boolean;
  next_run_at?: string | null;
}

export type NewSchedule = Omit<Schedule, "id" | "next_run_at"> & { bom: boolean };
