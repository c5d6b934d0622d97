import type { Api } from "../api/client";
import { unwrap } from "../api/client";
import type { CrmConnectionList, ExportJob, NewSchedule, RunRequest, Schedule } from "./types";

const ROUTES = {
  json: "/v1/export/json",
  jsonl: "/v1/export/jsonl",
  csv: "/v1/export/csv",
  parquet: "/v1/export/parquet",
} as const;

/** Queues an export (202): one route per format. */
export async function startExport(api: Api, request: RunRequest): Promise<ExportJob> {
  const { format, ...body } = request;
  return unwrap(await api.POST(ROUTES[format], { body }));
}

export async function exportJob(api: Api, id: string): Promise<ExportJob> {
  return unwrap(await api.GET("/v1/export/jobs/{job_id}", { params: { path: { job_id: id } } }));
}

export async function recentJobs(api: Api): Promise<ExportJob[]> {
  return unwrap(await api.GET("/v1/export/jobs")).items;
}

export async function schedules(api: Api): Promise<Schedule[]> {
  return unwrap(await api.GET("/v1/export/schedules")).items;
}

export async function createSchedule(api: Api, schedule: NewSchedule): Promise<Schedule> {
  return unwrap(await api.POST("/v1/export/schedule", { body: schedule }));
}

/** Pauses (enabled false) or resumes a schedule; the schedule as it now is. */
export async function setScheduleEnabled(api: Api, id: string, enabled: boolean): Promise<Schedule> {
  return unwrap(
    await api.PATCH("/v1/export/schedules/{schedule_id}", { params: { path: { schedule_id: id } }, body: { enabled } }),
  );
}

export async function deleteSchedule(api: Api, id: string): Promise<void> {
  unwrap(await api.DELETE("/v1/export/schedule/{schedule_id}", { params: { path: { schedule_id: id } } }));
}

/** The organization's saved mappings' names (HubSpot's and Salesforce's are always offered). */
export async function savedMappings(api: Api): Promise<string[]> {
  return unwrap(await api.GET("/v1/export/mappings")).items.map((mapping) => mapping.name);
}

/** Whether HubSpot and Salesforce are connected for the organization (never their tokens). */
export async function crmConnections(api: Api): Promise<CrmConnectionList> {
  return unwrap(await api.GET("/v1/export/crm-connections"));
}
