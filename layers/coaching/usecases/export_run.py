"""One export run: every entity's rows from the organization, as the export's owner may see
them, written as files in one format, with a manifest of checksums, a run record and an
audit entry (who, scope, rows per entity, destination; never content).

Incremental: a scheduled run reads what changed since its schedule's last successful run
(the watermark, advanced only on success). Resumable: running a failed run again (its id)
keeps the entities whose files an earlier attempt finished and still match their checksum.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from coaching.domain.clients import CoachIds
from coaching.domain.errors import CoachingError, Conflict, NotFound
from coaching.exports.formats import FORMATS, ExportFormat, write_entity
from coaching.exports.mapped import mapped_rows, mapped_schema
from coaching.exports.mappings import READY_MADE, Mapping, from_saved
from coaching.exports.schemas import ENTITIES, SCHEMA_VERSION, SCHEMAS
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.ports.clients import ContactDetails
from coaching.ports.export_files import ExportFiles
from coaching.ports.export_mappings import ExportMappings
from coaching.ports.export_rows import ExportRows
from coaching.ports.export_runs import ExportRun, ExportRuns

__all__ = [
    "FORMATS",
    "ExportFormat",
    "ExportManifest",
    "ExportPorts",
    "ExportRequest",
    "run_export",
]

Destination = Literal["download", "hubspot", "salesforce"]


@dataclass(frozen=True)
class ExportRequest:
    organization_id: uuid.UUID
    actor: str  # "user:<id>" or "system:<job>": who asked, as the audit log names them
    coach_ids: CoachIds  # the actor's visibility: None for the whole organization
    format: ExportFormat
    since: dt.datetime | None = None  # ignored when the schedule has a watermark
    mapping: str | None = None  # a name from coaching.exports.mappings (or a saved one)
    include_sensitive: bool = False
    schedule_id: uuid.UUID | None = None
    bom: bool = False  # csv: a UTF-8 byte order mark, for spreadsheets
    # A queued run's id (the API made it), or a failed run's to resume; None: a new run.
    run_id: uuid.UUID | None = None
    destination: Destination = "download"
    # Before every file's path (``<org>/<run id>/`` in a shared bucket); "" in a folder of
    # the run's own.
    path_prefix: str = ""
    source: str | None = None  # the caller's address, or the job's name, for the audit


@dataclass(frozen=True)
class ExportedFile:
    entity: str
    path: str
    rows: int
    sha256: str
    # None only in a manifest written before sizes were counted (a resumed older run).
    bytes: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "path": self.path,
            "rows": self.rows,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }


@dataclass(frozen=True)
class ExportManifest:
    run_id: uuid.UUID
    schema_version: str
    format: ExportFormat
    files: tuple[ExportedFile, ...] = ()
    # The next incremental run of the schedule reads from here (the run's start).
    watermark: dt.datetime | None = None
    since: dt.datetime | None = None
    row_counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The manifest as JSON: what ``coach export run --json`` prints and runs store."""
        return {
            "files": [file.as_dict() for file in self.files],
            "schema_version": self.schema_version,
            "run_id": str(self.run_id),
            "format": self.format,
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "since": self.since.isoformat() if self.since else None,
            "row_counts": dict(self.row_counts),
        }


class ExportProgress(Protocol):
    def __call__(
        self, entity: str, rows: int, *, done: bool = False, skipped: bool = False
    ) -> None:
        """``rows`` written so far for ``entity``; ``done`` once it is written (``skipped``:
        a resumed run kept an earlier attempt's files)."""
        ...


@dataclass(frozen=True)
class ExportPorts:
    rows: ExportRows
    runs: ExportRuns
    audit: AuditLog
    # Decrypts clients' emails for the clients entity; None: the column stays empty.
    contacts: ContactDetails | None = None
    # The organization's saved mappings (besides the ready-made ones); None: those only.
    mappings: ExportMappings | None = None
    # An incremental run reads from this long before its schedule's last watermark: a row
    # written by a transaction that began before that watermark but committed after it was
    # invisible to the last run (its updated_at is older than the watermark). A consumer
    # upserting by id takes the repeated rows as no change.
    watermark_overlap: dt.timedelta = dt.timedelta(minutes=2)


# How often (rows) the progress callback hears of an entity's rows.
PROGRESS_EVERY = 500


def run_export(
    ports: ExportPorts,
    request: ExportRequest,
    files: ExportFiles,
    progress: ExportProgress | None = None,
) -> ExportManifest:
    """Writes every entity, records the run and audits it; the manifest. A failure marks the
    run failed (its watermark then never counts), is audited too, and is raised."""
    org = request.organization_id
    existing = _existing(ports, request)
    if existing is not None and existing.status == "failed":
        # Resumed: as first asked, so the kept files and the new ones are one export.
        request = _as_recorded(request, existing)
    mapping = _mapping(ports, request)
    run, earlier_files = _begin(ports, request, existing)
    watermark = ports.runs.start(org, run.id, since=run.since, watermark=run.watermark)
    attempt = _Attempt(request, run.id, run.since, watermark)
    try:
        for entity in ENTITIES:
            kept = _still_written(files, earlier_files.get(entity))
            if kept is not None:
                attempt.add(entity, kept)
                if progress:
                    progress(entity, attempt.counts[entity], done=True, skipped=True)
                continue
            written = _write(
                ports, attempt, files, entity=entity, mapping=mapping, progress=progress
            )
            attempt.add(entity, written)
            if progress:
                progress(entity, attempt.counts[entity], done=True)
            ports.runs.record_progress(org, run.id, attempt.manifest().as_dict())
    except Exception as error:
        ports.runs.finish(
            org,
            run.id,
            status="failed",
            row_counts=attempt.counts,
            manifest=None,
            error=_failure_sentence(error),
        )
        ports.audit.record(attempt.audit_entry("failed"))
        raise
    manifest = attempt.manifest()
    ports.runs.finish(
        org, run.id, status="succeeded", row_counts=attempt.counts, manifest=manifest.as_dict()
    )
    ports.audit.record(attempt.audit_entry("succeeded"))
    return manifest


@dataclass
class _Attempt:
    """What one attempt at a run has written so far."""

    request: ExportRequest
    run_id: uuid.UUID
    since: dt.datetime | None
    watermark: dt.datetime
    written: list[ExportedFile] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)  # client ids, for the audit

    def add(self, entity: str, files: list[ExportedFile]) -> None:
        self.written.extend(files)
        self.counts[entity] = sum(file.rows for file in files)

    def manifest(self) -> ExportManifest:
        return ExportManifest(
            run_id=self.run_id,
            schema_version=SCHEMA_VERSION,
            format=self.request.format,
            files=tuple(self.written),
            watermark=self.watermark,
            since=self.since,
            row_counts=dict(self.counts),
        )

    def audit_entry(self, outcome: str) -> AuditEntry:
        """Who, what scope, how many rows, where it went: never content."""
        request = self.request
        coach_ids = None if request.coach_ids is None else sorted(map(str, request.coach_ids))
        return AuditEntry(
            organization_id=request.organization_id,
            actor=request.actor,
            action="export",
            resource_type="export",
            resource_id=str(self.run_id),
            source=request.source,
            details={
                "outcome": outcome,
                "format": request.format,
                "destination": request.destination,
                "scope": "organization" if coach_ids is None else "coaches",
                "coach_ids": coach_ids,
                "include_sensitive": request.include_sensitive,
                "mapping": request.mapping,
                "schedule_id": str(request.schedule_id) if request.schedule_id else None,
                "since": self.since.isoformat() if self.since else None,
                "rows": dict(self.counts),
            },
            client_ids=tuple(sorted(uuid.UUID(client) for client in self.touched)),
        )


def _mapping(ports: ExportPorts, request: ExportRequest) -> Mapping | None:
    if request.mapping is None:
        return None
    if request.mapping in READY_MADE:
        return READY_MADE[request.mapping]
    saved = ports.mappings.get(request.organization_id, request.mapping) if ports.mappings else None
    if saved is None:
        known = ", ".join(sorted(READY_MADE))
        raise NotFound(
            f"There is no export mapping named {request.mapping!r}. Use one of {known},"
            " or save one of your own first."
        )
    return from_saved(saved)


def _existing(ports: ExportPorts, request: ExportRequest) -> ExportRun | None:
    """The run the request names (queued by the API, or failed and run again), if any."""
    if request.run_id is None:
        return None
    existing = ports.runs.get(request.organization_id, request.run_id)
    if existing is None:
        raise NotFound(f"Export run {request.run_id} does not exist.")
    if existing.status not in ("queued", "failed"):
        raise Conflict(
            f"Export run {request.run_id} is {existing.status}: only a queued run starts,"
            " and only a failed one runs again."
        )
    return existing


def _as_recorded(request: ExportRequest, run: ExportRun) -> ExportRequest:
    options = run.options
    coach_ids = options.get("coach_ids")
    return replace(
        request,
        format=run.format,  # type: ignore[arg-type]
        coach_ids=None if coach_ids is None else frozenset(uuid.UUID(c) for c in coach_ids),
        mapping=options.get("mapping"),
        include_sensitive=bool(options.get("include_sensitive")),
        bom=bool(options.get("bom")),
        destination=options.get("destination", request.destination),
        path_prefix=options.get("path_prefix", request.path_prefix),
        schedule_id=run.schedule_id,
    )


def _begin(
    ports: ExportPorts, request: ExportRequest, existing: ExportRun | None
) -> tuple[ExportRun, dict[str, list[ExportedFile]]]:
    """The run to write (new, queued by the API, or a failed one resumed) with its window,
    and for a resumed run the files its earlier attempt finished, by entity."""
    if existing is not None and existing.status == "failed":
        # The same window as the first attempt: the kept files hold exactly it.
        return existing, _files_by_entity(existing.manifest)
    if existing is not None:
        return replace(existing, since=_since(ports, request)), {}
    run = ExportRun(
        id=uuid.uuid4(),
        organization_id=request.organization_id,
        actor=request.actor,
        format=request.format,
        status="running",
        options=_options(request),
        schedule_id=request.schedule_id,
        since=_since(ports, request),
    )
    ports.runs.create(run)
    return run, {}


def _since(ports: ExportPorts, request: ExportRequest) -> dt.datetime | None:
    """A schedule continues from its last success (less the overlap); before its first
    success, or for a run of no schedule, from what was asked (None: everything)."""
    if request.schedule_id is not None:
        last = ports.runs.last_success_watermark(request.organization_id, request.schedule_id)
        if last is not None:
            return last - ports.watermark_overlap
    return request.since


def _options(request: ExportRequest) -> dict[str, Any]:
    return {
        "coach_ids": None if request.coach_ids is None else sorted(map(str, request.coach_ids)),
        "mapping": request.mapping,
        "include_sensitive": request.include_sensitive,
        "bom": request.bom,
        "destination": request.destination,
        "path_prefix": request.path_prefix,
    }


def _files_by_entity(manifest: dict[str, Any] | None) -> dict[str, list[ExportedFile]]:
    by_entity: dict[str, list[ExportedFile]] = {}
    for file in (manifest or {}).get("files", []):
        by_entity.setdefault(file["entity"], []).append(
            ExportedFile(
                file["entity"],
                file["path"],
                int(file["rows"]),
                file["sha256"],
                file.get("bytes"),
            )
        )
    return by_entity


def _still_written(
    files: ExportFiles, earlier: list[ExportedFile] | None
) -> list[ExportedFile] | None:
    """An earlier attempt's files of an entity, when every one is there with its checksum."""
    if not earlier:
        return None
    if all(files.sha256(file.path) == file.sha256 for file in earlier):
        return earlier
    return None


def _write(
    ports: ExportPorts,
    attempt: _Attempt,
    files: ExportFiles,
    *,
    entity: str,
    mapping: Mapping | None,
    progress: ExportProgress | None,
) -> list[ExportedFile]:
    request = attempt.request
    schema = SCHEMAS[entity]
    rows: Iterator[dict[str, Any]] = ports.rows.rows(
        request.organization_id,
        entity,
        coach_ids=request.coach_ids,
        since=attempt.since,
        include_sensitive=request.include_sensitive,
    )
    if entity == "clients" and ports.contacts is not None:
        rows = _with_emails(ports.contacts, request.organization_id, rows)
    rows = _counted(entity, rows, attempt.touched, progress)
    output = schema
    if mapping is not None:
        output = mapped_schema(mapping, schema)
        rows = mapped_rows(mapping, schema, output, rows)
    written = write_entity(
        request.format,
        output,
        rows,
        files.open_write,
        path_prefix=request.path_prefix,
        bom=request.bom,
    )
    return [ExportedFile(entity, file.path, file.rows, file.sha256, file.bytes) for file in written]


def _with_emails(
    contacts: ContactDetails, org: uuid.UUID, rows: Iterator[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    for row in rows:
        contact = contacts.contact(org, uuid.UUID(row["client_id"]))
        yield {**row, "email": contact.email}


def _counted(
    entity: str,
    rows: Iterator[dict[str, Any]],
    touched: set[str],
    progress: ExportProgress | None,
) -> Iterator[dict[str, Any]]:
    """The rows, noting each client they are about (the audit's accounting of access)."""
    count = 0
    for row in rows:
        client = row.get("client_id")
        if client:
            touched.add(client)
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(entity, count)
        yield row


def _failure_sentence(error: Exception) -> str:
    """For the run record and the people reading it: the error's own sentence when it is
    ours (written for people, never row content), else only its kind."""
    if isinstance(error, CoachingError):
        return str(error)
    return f"The export failed ({type(error).__name__}); run it again to resume."
