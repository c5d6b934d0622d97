import type { Schemas } from "../api/client";

/** The export API's shapes, from the generated schema (issue 17: /v1/export/...). */
export type ExportFormat = Schemas["ScheduleBody"]["format"];
export type Destination = Schemas["ScheduleBody"]["destination"];
export type ExportJob = Schemas["ExportJob"];
export type JobStatus = ExportJob["status"];
export type ExportFile = Schemas["JobFile"];
export type Schedule = Schemas["ExportScheduleView"];
export type NewSchedule = Schemas["ScheduleBody"];
export type CrmConnection = Schemas["CrmConnectionView"];
export type CrmConnectionList = Schemas["CrmConnectionList"];

/** What "Run export" sends: the format picks the route, the rest is its body. */
export type RunRequest = Schemas["ExportBody"] & { format: ExportFormat };
