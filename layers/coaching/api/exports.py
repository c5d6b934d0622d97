"""Exports: run one now (202, a job to poll, download links when done), schedule them, and
the published schemas. Each covers what the caller may see; support may not export."""

from __future__ import annotations

import datetime as dt
import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.api.models.exports import (
    ExportBody,
    ExportJob,
    ExportJobList,
    ExportScheduleList,
    ExportScheduleView,
    ScheduleBody,
    SchedulePatchBody,
    SchemasDocument,
)
from coaching.domain.export_schedules import Cadence
from coaching.exports.schemas import schemas_document
from coaching.ports.export_runs import ExportRun
from coaching.ports.export_schedules import ExportSchedule
from coaching.usecases import export_jobs
from coaching.usecases.export_jobs import ExportOrder, ScheduleOrder

router = APIGatewayRouter()

JobId = Annotated[uuid.UUID, Path(description="the export job's id")]
ScheduleId = Annotated[uuid.UUID, Path(description="the schedule's id")]
JOBS_PATH = "/v1/export/jobs"


def _moment(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def job_view(ports: export_jobs.ExportJobPorts, run: ExportRun) -> dict:
    links = export_jobs.download_links(ports, run)
    files = (run.manifest or {}).get("files", []) if run.status == "succeeded" else []
    return {
        "id": str(run.id),
        "status": run.status,
        "format": run.format,
        "schedule_id": str(run.schedule_id) if run.schedule_id else None,
        "include_sensitive": bool(run.options.get("include_sensitive")),
        "since": _moment(run.since),
        "created_at": _moment(run.created_at),
        "started_at": _moment(run.started_at),
        "finished_at": _moment(run.finished_at),
        "row_counts": dict(run.row_counts),
        "files": [
            {
                "entity": f["entity"],
                "path": f["path"],
                "rows": f["rows"],
                "sha256": f["sha256"],
                "bytes": f.get("bytes"),
                "url": links.get(f["path"]),
            }
            for f in files
        ],
        "manifest": run.manifest,
        "error": run.error,
        "links": {"self": f"{JOBS_PATH}/{run.id}"},
    }


def schedule_view(schedule: ExportSchedule) -> dict:
    cadence = Cadence(schedule.cron, schedule.timezone)
    return {
        "id": str(schedule.id),
        "cron": schedule.cron,
        "timezone": schedule.timezone,
        "description": cadence.describe(),
        "format": schedule.format,
        "mapping": schedule.mapping_name,
        "destination": schedule.destination,
        "include_sensitive": schedule.include_sensitive,
        "enabled": schedule.enabled,
        "next_run_at": _moment(schedule.next_run_at),
        "created_at": _moment(schedule.created_at),
        "links": {
            "self": f"/v1/export/schedules/{schedule.id}",
            "jobs": JOBS_PATH,
        },
    }


def _since(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _export(format_: str, body: ExportBody):
    principal = client_data_reader(router)
    ports = ports_of(router).export_job_ports
    run = export_jobs.request_export(
        ports,
        principal,
        ExportOrder(
            format=format_,
            since=_since(body.since),
            mapping=body.mapping,
            include_sensitive=body.include_sensitive,
            bom=body.bom,
        ),
    )
    return job_view(ports, run), HTTPStatus.ACCEPTED


_EXPORT_ANSWERS = documented(
    HTTPStatus.CONFLICT,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    ok=HTTPStatus.ACCEPTED,
    model=ExportJob,
)
_EXPORT_DESCRIPTION = (
    "Queues an export of sessions, clients, approved summaries and action items you may see "
    "(a coach their own clients, a lead the team, an admin the organization) and answers at "
    "once; poll `links.self` until `status` is `succeeded`, then download each file's `url`. "
    "One export of yours at a time (409 while one runs)."
)


@router.post(
    "/v1/export/json",
    summary="Export as JSON, one document per entity",
    description=_EXPORT_DESCRIPTION,
    responses=_EXPORT_ANSWERS,
)
def export_json(body: Annotated[ExportBody, Body()]):
    return _export("json", body)


@router.post(
    "/v1/export/jsonl",
    summary="Export as JSON Lines, one file per entity",
    description=_EXPORT_DESCRIPTION,
    responses=_EXPORT_ANSWERS,
)
def export_jsonl(body: Annotated[ExportBody, Body()]):
    return _export("jsonl", body)


@router.post(
    "/v1/export/csv",
    summary="Export as CSV (UTF-8, optional BOM), one file per entity",
    description=_EXPORT_DESCRIPTION,
    responses=_EXPORT_ANSWERS,
)
def export_csv(body: Annotated[ExportBody, Body()]):
    return _export("csv", body)


@router.post(
    "/v1/export/parquet",
    summary="Export as Parquet, typed columns, partitioned by month",
    description=_EXPORT_DESCRIPTION,
    responses=_EXPORT_ANSWERS,
)
def export_parquet(body: Annotated[ExportBody, Body()]):
    return _export("parquet", body)


@router.get(
    "/v1/export/jobs/<job_id>",
    summary="An export job: its status, manifest and, once done, a download link per file",
    responses=documented(HTTPStatus.NOT_FOUND, model=ExportJob),
)
def get_job(job_id: JobId) -> dict:
    principal = client_data_reader(router)
    ports = ports_of(router).export_job_ports
    return job_view(ports, export_jobs.job_of(ports, principal, job_id))


@router.get(
    JOBS_PATH,
    summary="Your recent export jobs, newest first (scheduled ones too)",
    responses=documented(model=ExportJobList),
)
def list_jobs(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    principal = client_data_reader(router)
    ports = ports_of(router).export_job_ports
    runs = export_jobs.recent_jobs(ports, principal, limit)
    return {"items": [job_view(ports, run) for run in runs]}


@router.get(
    "/v1/export/schemas",
    summary="The published, versioned schema of every exported entity",
    responses=documented(model=SchemasDocument),
)
def schemas() -> dict:
    client_data_reader(router)
    return schemas_document()


@router.post(
    "/v1/export/schedule",
    summary="Schedule an export: a cron (at most hourly) in a time zone, a format, a destination",
    description="Each run carries what changed since the schedule's last successful run. "
    "An organization has 20 schedules at most (409 beyond).",
    responses=documented(
        HTTPStatus.CONFLICT,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        ok=HTTPStatus.CREATED,
        model=ExportScheduleView,
    ),
)
def create_schedule(body: Annotated[ScheduleBody, Body()]):
    principal = client_data_reader(router)
    ports = ports_of(router).export_job_ports
    schedule = export_jobs.create_schedule(
        ports,
        principal,
        ScheduleOrder(
            order=ExportOrder(
                format=body.format,
                mapping=body.mapping,
                include_sensitive=body.include_sensitive,
                bom=body.bom,
            ),
            cadence=Cadence.parse(body.cron, body.timezone),
            destination=body.destination,
        ),
        dt.datetime.now(dt.UTC),
    )
    return schedule_view(schedule), HTTPStatus.CREATED


@router.get(
    "/v1/export/schedules",
    summary="Your export schedules (an admin: the organization's)",
    responses=documented(model=ExportScheduleList),
)
def list_schedules() -> dict:
    principal = client_data_reader(router)
    schedules = export_jobs.schedules_of(ports_of(router).export_job_ports, principal)
    return {"items": [schedule_view(s) for s in schedules]}


@router.patch(
    "/v1/export/schedules/<schedule_id>",
    summary="Pause or resume an export schedule",
    description="A paused schedule keeps its settings and runs no more. Resumed, it runs at "
    "its next time (not the ones it missed), carrying everything since its last successful "
    "run.",
    responses=documented(
        HTTPStatus.NOT_FOUND, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, model=ExportScheduleView
    ),
)
def change_schedule(schedule_id: ScheduleId, body: Annotated[SchedulePatchBody, Body()]) -> dict:
    principal = client_data_reader(router)
    schedule = export_jobs.set_schedule_enabled(
        ports_of(router).export_job_ports,
        principal,
        schedule_id,
        enabled=body.enabled,
        now=dt.datetime.now(dt.UTC),
    )
    return schedule_view(schedule)


def _delete_schedule(schedule_id: uuid.UUID) -> Response:
    principal = client_data_reader(router)
    export_jobs.delete_schedule(ports_of(router).export_job_ports, principal, schedule_id)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.delete(
    "/v1/export/schedules/<schedule_id>",
    summary="Delete an export schedule: it runs no more (its past runs stay listed)",
    responses=documented(HTTPStatus.NOT_FOUND, ok=HTTPStatus.NO_CONTENT),
)
def delete_schedule(schedule_id: ScheduleId):
    return _delete_schedule(schedule_id)


@router.delete(
    "/v1/export/schedule/<schedule_id>",
    summary="Delete an export schedule (the same as DELETE /v1/export/schedules/{schedule_id})",
    responses=documented(HTTPStatus.NOT_FOUND, ok=HTTPStatus.NO_CONTENT),
)
def delete_schedule_singular(schedule_id: ScheduleId):
    return _delete_schedule(schedule_id)
