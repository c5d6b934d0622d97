"""Pushing an export into a CRM: each entity's rows (ExportRows, scoped as the export's owner
may see them) through a ready-made CRM mapping, upserted by the pusher in chunks, clients
first so that notes and tasks find their contacts. Audited (action ``export_push``: who,
scope, destination, counts; never content). x17-api and x17-aws call it for schedules whose
destination is a CRM; ``coach export push`` for one now.

With a runs store, the push is a run like a file export: a scheduled one reads only what
changed since its schedule's last successful run, and its watermark advances only when the
whole push succeeded (a CRM that stays busy leaves the next run everything since).
Re-pushing is harmless: the CRM upserts by external id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from coaching.domain.errors import CoachingError, MappingInvalid
from coaching.exports.mappings import Mapping, crm_record
from coaching.exports.schemas import ENTITIES
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.ports.clients import ContactDetails
from coaching.ports.crm import CrmPusher, CrmRecord, PushReport
from coaching.ports.export_rows import ExportRows
from coaching.ports.export_runs import ExportRun, ExportRuns
from coaching.usecases.export_run import ExportRequest

CHUNK = 500  # rows mapped and handed to the pusher at a time: memory stays flat


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CrmPushPorts:
    rows: ExportRows
    audit: AuditLog | None = None
    runs: ExportRuns | None = None  # None: no run record, no watermark (a one-off push)
    # Decrypts clients' emails (stored encrypted, so the rows' column is empty); None: the
    # contacts go without one.
    contacts: ContactDetails | None = None
    now: Callable[[], dt.datetime] = _utc_now


@dataclass
class CrmPushResult:
    run_id: uuid.UUID
    destination: str
    mapping: str
    since: dt.datetime | None
    watermark: dt.datetime
    entities: dict[str, PushReport] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    # The clients whose data went out: the audit names them (each client's access log).
    clients: set[str] = field(default_factory=set)

    @property
    def total(self) -> PushReport:
        total = PushReport()
        for report in self.entities.values():
            total = total.add(report)
        return total

    def as_dict(self) -> dict[str, Any]:
        """What ``coach export push --json`` prints and the run record keeps."""
        return {
            "run_id": str(self.run_id),
            "destination": self.destination,
            "mapping": self.mapping,
            "since": self.since.isoformat() if self.since else None,
            "watermark": self.watermark.isoformat(),
            "entities": {
                entity: {"rows": self.rows.get(entity, 0), **report.as_dict()}
                for entity, report in self.entities.items()
            },
        }

    def counts(self) -> dict[str, dict[str, int]]:
        """Per entity: rows read and what the CRM did with them (the audit's figures)."""
        return {
            entity: {
                "rows": self.rows.get(entity, 0),
                "created": report.created,
                "updated": report.updated,
                "skipped": report.skipped,
                "failed": len(report.failed),
            }
            for entity, report in self.entities.items()
        }


def push_export(
    ports: CrmPushPorts, request: ExportRequest, pusher: CrmPusher, mapping: Mapping
) -> CrmPushResult:
    """Pushes what the request selects into the pusher's CRM; the counts per entity.

    Raises MappingInvalid when the mapping is not the pusher's CRM's; the pusher's errors
    (CrmBusy, CrmAccessDenied, CrmNotConnected, ...) after recording the run failed."""
    if mapping.crm != pusher.kind:
        raise MappingInvalid(
            f"The mapping '{mapping.name}' does not push to {pusher.kind}.",
            hint=f"Use the ready-made '{pusher.kind}' mapping.",
        )
    watermark = ports.now()
    result = CrmPushResult(
        run_id=request.run_id or uuid.uuid4(),
        destination=pusher.kind,
        mapping=mapping.name,
        since=_since(ports, request),
        watermark=watermark,
    )
    _start_run(ports, request, result)
    try:
        for entity in _contacts_first(mapping):
            result.entities[entity] = PushReport()
            for chunk in _chunks(_records(ports, request, mapping, entity, result)):
                result.entities[entity] = result.entities[entity].add(
                    pusher.push(str(mapping.entities[entity].target), chunk)
                )
    except CoachingError as error:
        _finish(ports, request, result, error)
        raise
    _finish(ports, request, result, None)
    return result


def _since(ports: CrmPushPorts, request: ExportRequest) -> dt.datetime | None:
    if request.schedule_id is not None and ports.runs is not None:
        watermark = ports.runs.last_success_watermark(request.organization_id, request.schedule_id)
        if watermark is not None:
            return watermark
    return request.since


def _contacts_first(mapping: Mapping) -> list[str]:
    """The mapped entities in export order, those that others point at (contacts) first."""
    mapped = [entity for entity in ENTITIES if mapping.maps(entity)]
    return sorted(mapped, key=lambda entity: mapping.entities[entity].contact_column is not None)


def _records(
    ports: CrmPushPorts,
    request: ExportRequest,
    mapping: Mapping,
    entity: str,
    result: CrmPushResult,
) -> Iterator[CrmRecord]:
    rows = ports.rows.rows(
        request.organization_id,
        entity,
        coach_ids=request.coach_ids,
        since=result.since,
        include_sensitive=request.include_sensitive,
    )
    for row in rows:
        result.rows[entity] = result.rows.get(entity, 0) + 1
        if row.get("client_id"):
            result.clients.add(str(row["client_id"]))
        if entity == "clients" and ports.contacts is not None:
            contact = ports.contacts.contact(request.organization_id, uuid.UUID(row["client_id"]))
            row = {**row, "email": contact.email}
        yield crm_record(mapping, entity, row)


def _chunks(records: Iterator[CrmRecord]) -> Iterator[list[CrmRecord]]:
    while chunk := list(islice(records, CHUNK)):
        yield chunk


def _start_run(ports: CrmPushPorts, request: ExportRequest, result: CrmPushResult) -> None:
    if ports.runs is None:
        return
    org = request.organization_id
    if request.run_id is None:  # an API-queued run exists already
        ports.runs.create(
            ExportRun(
                id=result.run_id,
                organization_id=org,
                actor=request.actor,
                format="crm",
                status="queued",
                options=_options(request, result),
                schedule_id=request.schedule_id,
            )
        )
    ports.runs.start(org, result.run_id, since=result.since, watermark=result.watermark)


def _finish(
    ports: CrmPushPorts,
    request: ExportRequest,
    result: CrmPushResult,
    error: CoachingError | None,
) -> None:
    if ports.runs is not None:
        ports.runs.finish(
            request.organization_id,
            result.run_id,
            status="failed" if error else "succeeded",
            row_counts=dict(result.rows),
            manifest=result.as_dict(),
            error=error.user_message() if error else None,
        )
    if ports.audit is not None:
        ports.audit.record(
            AuditEntry(
                organization_id=request.organization_id,
                actor=request.actor,
                action="export_push",
                resource_type="export",
                resource_id=str(result.run_id),
                source=request.source,
                details={
                    **_options(request, result),
                    "outcome": "failed" if error else "succeeded",
                    "counts": result.counts(),
                },
                client_ids=tuple(uuid.UUID(client) for client in sorted(result.clients)),
            )
        )


def _options(request: ExportRequest, result: CrmPushResult) -> dict[str, Any]:
    """The push's scope and destination: ids and choices, never content."""
    return {
        "destination": result.destination,
        "mapping": result.mapping,
        "coach_ids": None
        if request.coach_ids is None
        else sorted(str(coach) for coach in request.coach_ids),
        "include_sensitive": request.include_sensitive,
        "since": result.since.isoformat() if result.since else None,
        "schedule_id": str(request.schedule_id) if request.schedule_id else None,
    }
