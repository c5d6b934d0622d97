import type { Api } from "../api/client";
import { unwrap } from "../api/client";
import type { ExportJob, NewSchedule, RunRequest, Schedule } from "./types";

// TODO(x17-api): typed calls once the routes are in schema.d.ts.
type Answer = { data?: unknown; error?: unknown; response: Response };
interface Untyped {
  GET(path: string, init?: object): Promise<Answer>;
  POST(path: string, init?: object): Promise<Answer>;
  DELETE(path: string, init?: object): Promise<Answer>;
}
const untyped = (api: Api) => api as unknown as Untyped;

/** One route per format: /v1/export/json, /jsonl, /csv, /parquet. */
export async function startExport(api: Api, request: RunRequest): Promise<ExportJob> {
  const { format, ...body } = request;
  return unwrap(await untyped(api).POST(`/v1/export/${format}`, { body })) as ExportJob;
}

export async function exportJob(api: Api, id: string): Promise<ExportJob> {
  return unwrap(await untyped(api).GET(`/v1/export/jobs/${encodeURIComponent(id)}`)) as ExportJob;
}

export async function recentJobs(api: Api): Promise<ExportJob[]> {
  return (unwrap(await untyped(api).GET("/v1/export/jobs")) as { items: ExportJob[] }).items;
}

export async function schedules(api: Api): Promise<Schedule[]> {
  return (unwrap(await untyped(api).GET("/v1/export/schedules")) as { items: Schedule[] }).items;
}

export async function createSchedule(api: Api, schedule: NewSchedule): Promise<Schedule> {
  return unwrap(await untyped(api).POST("/v1/export/schedule", { body: schedule })) as Schedule;
}

export async function deleteSchedule(api: Api, id: string): Promise<void> {
  unwrap(await untyped(api).DELETE(`/v1/export/schedule/${encodeURIComponent(id)}`));
}
