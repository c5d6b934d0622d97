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
from dataclasses import dataclass, field
from typing import Any, Literal

from coaching.domain.clients import CoachIds

ExportFormat = Literal["json", "jsonl", "csv", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("json", "jsonl", "csv", "parquet")
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

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "path": self.path, "rows": self.rows, "sha256": self.sha256}


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
