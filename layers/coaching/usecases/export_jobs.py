"""Export jobs: an export asked for over the API (queued, run elsewhere, polled), the
schedules that queue one at their cron's times, and running a queued job.

Each export covers what its owner may see (a coach their own clients, a lead the team, an
admin the organization; support nothing), worked out when it is asked for, and for a
schedule each time it fires (a lead's team may have changed). The budgets that keep one
caller from turning the server into an export loop: one on-demand export per person at a
time, a few schedules per organization, at most one run an hour per schedule
(domain/export_schedules.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coaching.domain.errors import CoachingError, ConfigurationError, Forbidden, NotFound
from coaching.domain.export_schedules import Cadence
from coaching.domain.identity import Principal, Role
from coaching.ports.accounts import UserAccounts
from coaching.ports.api_keys import ApiKeyStore
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.ports.directory import Directory
from coaching.ports.export_files import ExportFiles
from coaching.ports.export_jobs import ExportJobStarter, ExportQueue
from coaching.ports.export_runs import ExportRun, ExportRuns
from coaching.ports.export_schedules import (
    ExportSchedule,
    ExportSchedules,
    ExportScheduleTriggers,
)
from coaching.usecases.access import visibility_for
from coaching.usecases.export_run import ExportManifest, ExportRequest

log = logging.getLogger("coach.exports")

MOST_SCHEDULES_PER_ORGANIZATION = 20
DOWNLOAD_SECONDS = 15 * 60  # a download link lives a quarter of an hour
SCHEDULER = "scheduler"  # the audit's source for what a schedule started

RunExport = Callable[[ExportRequest], ExportManifest]


@dataclass(frozen=True)
class ExportJobPorts:
    queue: ExportQueue
    runs: ExportRuns
    schedules: ExportSchedules
    starter: ExportJobStarter
    directory: Directory
    audit: AuditLog
    files: ExportFiles  # where the runs' files are: their download links
    run_export: RunExport  # core's run_export bound to its ports and files
    # x17-crm's push_export bound to the organization's CRM pusher: a schedule whose
    # destination is a CRM. None: such runs fail, saying so.
    push_to_crm: Callable[[ExportRequest], object] | None = None
    # AWS: EventBridge Scheduler fires each schedule. None: a poller reads the table
    # (`coach serve`'s scheduler, local_runtime/export_schedule.py).
    triggers: ExportScheduleTriggers | None = None
    most_schedules: int = MOST_SCHEDULES_PER_ORGANIZATION
    # Who a schedule's owner is now, read each time it fires: a disabled user's or a revoked
    # key's schedule exports nothing, a changed role exports what the new role may see.
    # None (unit fakes): the owner as stored when the schedule was made.
    accounts: UserAccounts | None = None
    api_keys: ApiKeyStore | None = None


@dataclass(frozen=True)
class ExportOrder:
    """What to export, as asked for (the API's body, the CLI's options)."""

    format: str
    since: dt.datetime | None = None
    mapping: str | None = None
    include_sensitive: bool = False
    bom: bool = False


def _coach_ids(principal: Principal, directory: Directory) -> list[str] | None:
    """What the principal may see, as a run stores it: None for the whole organization."""
    coach_ids = visibility_for(principal, directory).coach_ids  # support: 403
    return None if coach_ids is None else sorted(str(c) for c in coach_ids)


def _audit(
    ports: ExportJobPorts,
    principal: Principal,
    action: str,
    resource: str,
    resource_id: uuid.UUID,
    **details: Any,
) -> None:
    ports.audit.record(
        AuditEntry(
            organization_id=principal.organization_id,
            actor=principal.actor,
            action=action,
            resource_type=resource,
            resource_id=str(resource_id),
            source=principal.source_ip,
            details=details,
        )
    )


def request_export(ports: ExportJobPorts, principal: Principal, order: ExportOrder) -> ExportRun:
    """Queues an export of what ``principal`` may see and has it started; the run, queued.
    Conflict while their previous one has not finished."""
    coach_ids = _coach_ids(principal, ports.directory)
    run = ExportRun(
        id=uuid.uuid4(),
        organization_id=principal.organization_id,
        actor=principal.actor,
        format=order.format,
        status="queued",
        since=order.since,
        options={
            "coach_ids": coach_ids,
            "mapping": order.mapping,
            "include_sensitive": order.include_sensitive,
            "bom": order.bom,
            "destination": "download",
        },
    )
    run = _with_prefix(run)
    ports.queue.enqueue(run, one_at_a_time=True)
    # Asking for sensitive items is a choice the audit log keeps, with who and what scope.
    _audit(
        ports,
        principal,
        "export_requested",
        "export",
        run.id,
        format=order.format,
        scope="organization" if coach_ids is None else "coaches",
        coach_ids=coach_ids or [],
        include_sensitive=order.include_sensitive,
        since=order.since.isoformat() if order.since else None,
    )
    ports.starter.start(run.id)
    return run


def run_id_prefix(schedule_id: uuid.UUID | None, run_id: uuid.UUID | None) -> str:
    """Where a run's files go under the exports root: ``<schedule id>/<run id>/`` for a
    scheduled run, ``<run id>/`` for one asked for."""
    parts = [str(p) for p in (schedule_id, run_id) if p is not None]
    return "".join(f"{part}/" for part in parts)


def _with_prefix(run: ExportRun) -> ExportRun:
    options = {**run.options, "path_prefix": run_id_prefix(run.schedule_id, run.id)}
    return dataclasses.replace(run, options=options)


def _may_see_run(principal: Principal, run: ExportRun) -> bool:
    return run.actor == principal.actor or principal.role is Role.ADMIN


def job_of(ports: ExportJobPorts, principal: Principal, run_id: uuid.UUID) -> ExportRun:
    """The caller's run (an admin: any of the organization's); else 404, as if missing."""
    visibility_for(principal, ports.directory)  # support: 403
    run = ports.runs.get(principal.organization_id, run_id)
    if run is None or not _may_see_run(principal, run):
        raise NotFound("This export does not exist.")
    return run


def recent_jobs(ports: ExportJobPorts, principal: Principal, limit: int) -> list[ExportRun]:
    """The caller's own recent runs (an admin's too: their own), newest first."""
    visibility_for(principal, ports.directory)
    return ports.queue.recent(principal.organization_id, principal.actor, limit)


def download_links(ports: ExportJobPorts, run: ExportRun) -> dict[str, str]:
    """A short-lived link per file of a succeeded run, by the file's path in the manifest."""
    if run.status != "succeeded" or not run.manifest:
        return {}
    # The manifest's paths are under the run's prefix already: each is the file's own.
    return {
        file["path"]: ports.files.url(file["path"], DOWNLOAD_SECONDS)
        for file in run.manifest.get("files", [])
    }


# -- schedules -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleOrder:
    order: ExportOrder
    cadence: Cadence
    destination: str = "download"


def create_schedule(
    ports: ExportJobPorts, principal: Principal, asked: ScheduleOrder, now: dt.datetime
) -> ExportSchedule:
    coach_ids = _coach_ids(principal, ports.directory)
    schedule = ports.schedules.create(
        ExportSchedule(
            id=uuid.uuid4(),
            organization_id=principal.organization_id,
            created_by=principal.actor,
            cron=asked.cadence.cron,
            timezone=asked.cadence.timezone,
            format=asked.order.format,
            destination=asked.destination,
            mapping_name=asked.order.mapping,
            include_sensitive=asked.order.include_sensitive,
            next_run_at=asked.cadence.next_after(now),
            options={
                "role": principal.role.value,
                "coach_id": str(principal.coach_id) if principal.coach_id else None,
                "bom": asked.order.bom,
            },
        ),
        most_per_organization=ports.most_schedules,
    )
    if ports.triggers is not None:
        try:
            ports.triggers.put(schedule.id, cron=schedule.cron, timezone=schedule.timezone)
        except Exception:
            # No trigger, no schedule: a row that never fires would only mislead.
            ports.schedules.delete(principal.organization_id, schedule.id)
            raise
    _audit(
        ports,
        principal,
        "create",
        "export_schedule",
        schedule.id,
        cron=schedule.cron,
        timezone=schedule.timezone,
        format=schedule.format,
        destination=schedule.destination,
        scope="organization" if coach_ids is None else "coaches",
        include_sensitive=schedule.include_sensitive,
    )
    return schedule


def _may_see_schedule(principal: Principal, schedule: ExportSchedule) -> bool:
    return schedule.created_by == principal.actor or principal.role is Role.ADMIN


def schedules_of(ports: ExportJobPorts, principal: Principal) -> list[ExportSchedule]:
    """The caller's schedules; an admin's: the organization's."""
    visibility_for(principal, ports.directory)
    mine = None if principal.role is Role.ADMIN else principal.actor
    return ports.schedules.list_schedules(principal.organization_id, mine)


def _schedule_of(
    ports: ExportJobPorts, principal: Principal, schedule_id: uuid.UUID
) -> ExportSchedule:
    """One of the caller's schedules (an admin: any of the organization's), or NotFound."""
    visibility_for(principal, ports.directory)
    schedule = ports.schedules.get(principal.organization_id, schedule_id)
    if schedule is None or not _may_see_schedule(principal, schedule):
        raise NotFound("This export schedule does not exist.")
    return schedule


def delete_schedule(ports: ExportJobPorts, principal: Principal, schedule_id: uuid.UUID) -> None:
    _schedule_of(ports, principal, schedule_id)
    if ports.triggers is not None:
        ports.triggers.delete(schedule_id)  # first: a trigger left would fire a missing row
    ports.schedules.delete(principal.organization_id, schedule_id)
    _audit(ports, principal, "delete", "export_schedule", schedule_id)


def set_schedule_enabled(
    ports: ExportJobPorts,
    principal: Principal,
    schedule_id: uuid.UUID,
    *,
    enabled: bool,
    now: dt.datetime,
) -> ExportSchedule:
    """Pauses a schedule (it fires no more, and keeps everything else) or resumes it: from
    its next time after ``now``, never an occurrence missed while paused; its first run
    still carries everything since its last successful one. Asking for what it is already
    changes nothing."""
    schedule = _schedule_of(ports, principal, schedule_id)
    if schedule.enabled == enabled:
        return schedule
    next_run_at = Cadence(schedule.cron, schedule.timezone).next_after(now) if enabled else None
    org = principal.organization_id
    changed = ports.schedules.set_enabled(
        org, schedule_id, enabled=enabled, next_run_at=next_run_at
    )
    if changed is None:
        raise NotFound("This export schedule does not exist.")
    if ports.triggers is not None:
        try:
            ports.triggers.put(
                schedule_id, cron=schedule.cron, timezone=schedule.timezone, enabled=enabled
            )
        except Exception:
            # The row says what the trigger does: back as it was, and the caller may retry.
            ports.schedules.set_enabled(
                org, schedule_id, enabled=schedule.enabled, next_run_at=schedule.next_run_at
            )
            raise
    _audit(ports, principal, "resume" if enabled else "pause", "export_schedule", schedule_id)
    return changed


def _owner_of(ports: ExportJobPorts, schedule: ExportSchedule) -> Principal:
    """The schedule's creator as they are now: what the run may see. A disabled or removed
    user, or a revoked key, exports nothing (Forbidden: the schedule is skipped); a user
    whose role changed exports what the new role may see. Without an accounts port (unit
    fakes) the owner is taken as stored when the schedule was made."""
    kind, _, actor_id = schedule.created_by.partition(":")
    org, owner_id = schedule.organization_id, uuid.UUID(actor_id)
    coach_id = schedule.options.get("coach_id")
    role = Role(schedule.options.get("role", Role.SERVICE if kind == "api-key" else "coach"))
    if kind == "user" and ports.accounts is not None:
        account = ports.accounts.user(org, owner_id)
        if account is None or account.disabled_at is not None:
            # Never the role stored with the schedule: it may be what was taken away.
            raise Forbidden("The schedule's owner can no longer sign in.")
        role, coach_id = account.role, str(account.coach_id) if account.coach_id else None
    elif kind == "api-key" and ports.api_keys is not None:
        key = next((k for k in ports.api_keys.keys(org) if k.id == owner_id), None)
        if key is None or key.revoked_at is not None:
            raise Forbidden("The schedule's API key was revoked.")
    return Principal(
        user_id=owner_id,
        organization_id=org,
        role=role,
        coach_id=uuid.UUID(coach_id) if coach_id else None,
        source_ip=SCHEDULER,
    )


def fire_due(ports: ExportJobPorts, now: dt.datetime, *, limit: int = 50) -> list[uuid.UUID]:
    """Queues and starts one run of every schedule due at ``now``; the runs' ids.

    A schedule whose times were missed (the server was down) runs once: its next time is the
    cron's first after ``now``, not after the missed one. Incremental: the run reads what
    changed since the schedule's last successful run (run_export asks the watermark)."""
    started = []
    for schedule in ports.schedules.due(now, limit):
        cadence = Cadence(schedule.cron, schedule.timezone)
        if not ports.schedules.advance(schedule, cadence.next_after(now)):
            continue  # another tick fired this occurrence
        try:
            run = _scheduled_run(ports, schedule)
        except CoachingError as error:  # e.g. its owner's role may no longer export
            log.warning("export schedule %s not run: %s", schedule.id, error.code)
            continue
        ports.queue.enqueue(run, one_at_a_time=False)
        ports.starter.start(run.id)
        started.append(run.id)
    return started


def _scheduled_run(ports: ExportJobPorts, schedule: ExportSchedule) -> ExportRun:
    owner = _owner_of(ports, schedule)
    run = ExportRun(
        id=uuid.uuid4(),
        organization_id=schedule.organization_id,
        actor=schedule.created_by,
        format=schedule.format,
        status="queued",
        schedule_id=schedule.id,
        options={
            "coach_ids": _coach_ids(owner, ports.directory),
            "mapping": schedule.mapping_name,
            "include_sensitive": schedule.include_sensitive,
            "bom": bool(schedule.options.get("bom")),
            "destination": schedule.destination,
        },
    )
    return _with_prefix(run)


# -- running a job ---------------------------------------------------------------------------
def request_of(run: ExportRun) -> ExportRequest:
    """What core's run_export is asked, from a queued run's record."""
    options: dict[str, Any] = run.options
    coach_ids = options.get("coach_ids")
    return ExportRequest(
        organization_id=run.organization_id,
        actor=run.actor,
        coach_ids=None if coach_ids is None else frozenset(uuid.UUID(c) for c in coach_ids),
        format=run.format,  # type: ignore[arg-type]  # checked by the table
        since=run.since,
        mapping=options.get("mapping"),
        include_sensitive=bool(options.get("include_sensitive")),
        schedule_id=run.schedule_id,
        bom=bool(options.get("bom")),
        run_id=run.id,
        destination=options.get("destination", "download"),
        path_prefix=options.get("path_prefix", ""),
        source=SCHEDULER if run.schedule_id else "api",
    )


def run_job(ports: ExportJobPorts, run_id: uuid.UUID) -> object | None:
    """Runs the queued run ``run_id`` if no one else has taken it: files (its manifest), or a
    push into a CRM (its result); None when taken already, or when it failed (the run's
    record says why)."""
    outcome = attempt_job(ports, run_id)
    return outcome.result if outcome is not None else None


@dataclass(frozen=True)
class JobOutcome:
    """A run this worker took: what it made (files' manifest, a CRM's answer), or that it
    failed (its record says why)."""

    result: object | None
    failed: bool


def attempt_job(ports: ExportJobPorts, run_id: uuid.UUID) -> JobOutcome | None:
    """run_job, telling a failed run from one another worker took (None): what the export
    function counts for its alarm (a failure is recorded, not raised)."""
    claimed = ports.queue.claim(run_id)
    if claimed is None:
        return None
    run = claimed.run
    request = request_of(run)
    try:
        if request.destination == "download":
            return JobOutcome(ports.run_export(request), failed=False)
        if ports.push_to_crm is None:
            raise ConfigurationError("Pushing to a CRM is not set up here.")
        return JobOutcome(ports.push_to_crm(request), failed=False)
    except Exception as error:  # noqa: BLE001 - recorded on the run; the worker goes on
        log.warning("export run %s failed: %s", run_id, type(error).__name__)
        current = ports.runs.get(run.organization_id, run_id)
        if current is not None and current.status not in ("succeeded", "failed"):
            message = error.user_message() if isinstance(error, CoachingError) else None
            ports.runs.finish(
                run.organization_id,
                run_id,
                status="failed",
                row_counts=current.row_counts,
                manifest=current.manifest,
                error=message or "The export failed on our side.",
            )
        return JobOutcome(None, failed=True)
