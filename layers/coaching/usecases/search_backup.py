"""The search index's daily backup, and a restore that says what differed.

A backup is Parquet, one folder per day and organization
(`search-backups/date=YYYY-MM-DD/organization=<id>/part-N.parquet`): every stored passage
with its metadata, its text, its vector (a fixed-size float32 list: one dimension per file,
so a model change writes a second file) and the model that made it, streamed a page at a
time. `manifest.json` beside them lists each file's SHA-256, size, rows and models.

A restore checks every file against the manifest before it changes anything, then walks the
backup and the store side by side in passage id order (memory stays flat): a passage missing
from the store, or different there (text, vector, metadata), is written back as backed up
(vectors as stored: nothing is embedded again); a passage only in the store is kept and
listed. What was deleted or erased since the backup never comes back: a passage whose
session or client no longer exists is skipped, and so is every passage of a session changed
or indexed again after the backup (a client's erasure indexes their sessions again from what
remains; `coach search reindex` indexes any such session left without passages from its
current data). Every passage the store holds afterwards goes to the vector index (those of
the current model) and the keyword index: locally the same table, in AWS Pinecone and
OpenSearch. Reports carry ids and counts, never text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import io
import json
import re
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO

from coaching.domain.errors import BackupRefused
from coaching.domain.search import Passage
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.ports.search_backup import (
    BackupFiles,
    BackupSource,
    IndexedPassage,
    PassageBackupStore,
)
from coaching.ports.search_index import SearchPorts

BACKUP_FOLDER = "search-backups"
MANIFEST_NAME = "manifest.json"
FORMAT = "coaching-search-backup/1"
PAGE_SIZE = 500  # passages per store page, Parquet record batch and restore step
ROWS_PER_PART = 100_000  # a new part file after this many rows
# A part's path in the manifest, relative to the manifest's folder.
_PART_PATH = re.compile(r"organization=[0-9a-f-]{36}/part-\d+\.parquet")
KEPT_LISTED = 100  # ids of passages only in the store, listed in the report (all counted)


def day_folder(day: dt.date) -> str:
    return f"{BACKUP_FOLDER}/date={day.isoformat()}"


def manifest_path(day: dt.date) -> str:
    return f"{day_folder(day)}/{MANIFEST_NAME}"


@dataclass(frozen=True)
class BackupPorts:
    """What a backup and a restore use: the store as a backup sees it, and the search ports
    (the indexes a restore rebuilds)."""

    store: PassageBackupStore
    search: SearchPorts
    audit: AuditLog | None = None  # each organization's backup and restore is recorded


def _audit(
    ports: BackupPorts, org: uuid.UUID, actor: str, action: str, details: dict[str, Any]
) -> None:
    """Who backed up or restored which organization's index, how many passages, which day:
    ids and counts only."""
    if ports.audit is not None:
        ports.audit.record(
            AuditEntry(
                organization_id=org,
                actor=actor,
                action=action,
                resource_type="search_backup",
                resource_id=details["date"],
                source=actor.removeprefix("system:"),
                details=details,
            )
        )


@dataclass(frozen=True)
class BackupFile:
    organization_id: str
    path: str  # relative to the manifest's folder
    rows: int
    bytes: int
    sha256: str
    dimensions: int  # of the embedding column (0: no passage in it has a vector)
    models: dict[str, int]  # passages per model ("" for those kept for keywords alone)


@dataclass(frozen=True)
class BackupManifest:
    date: str
    taken_at: str  # ISO 8601: what changed after it is newer than the backup
    files: list[BackupFile]
    format: str = FORMAT

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def models(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for file in self.files:
            total.update(file.models)
        return dict(sorted(total.items()))

    @property
    def organizations(self) -> list[str]:
        return sorted({f.organization_id for f in self.files})

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "date": self.date,
            "taken_at": self.taken_at,
            "rows": self.rows,
            "models": self.models,
            "organizations": self.organizations,
            "files": [asdict(f) for f in self.files],
        }

    @classmethod
    def from_json(cls, document: Any) -> BackupManifest:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupRefused(
                "This is not a search backup manifest (its format is not " + FORMAT + ")."
            )
        try:
            manifest = cls(
                date=dt.date.fromisoformat(document["date"]).isoformat(),
                taken_at=dt.datetime.fromisoformat(document["taken_at"]).isoformat(),
                files=[BackupFile(**entry) for entry in document["files"]],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BackupRefused(f"The backup's manifest is incomplete ({error}).") from None
        for entry in manifest.files:
            # Only its own organization's folder: a manifest never names a file elsewhere.
            if not _PART_PATH.fullmatch(entry.path) or not entry.path.startswith(
                f"organization={entry.organization_id}/"
            ):
                raise BackupRefused(
                    f"The backup's manifest names a file it cannot hold: {entry.path}"
                )
        return manifest


@dataclass(frozen=True)
class BackupProgress:
    organization_id: uuid.UUID
    done: int
    total: int


def backup(
    ports: BackupPorts,
    files: BackupFiles,
    day: dt.date,
    *,
    organizations: Iterable[uuid.UUID] | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[BackupProgress], None] = lambda _: None,
    actor: str = "system:search-backup",
) -> BackupManifest:
    """Writes the day's backup of these organizations (default: every one) and its manifest,
    last, so a manifest means a complete backup; answers the manifest."""
    taken_at = now or dt.datetime.now(dt.UTC)
    chosen = ports.store.organizations() if organizations is None else list(organizations)
    written: list[BackupFile] = []
    for org in chosen:
        total = ports.store.count(org)
        done = 0
        with _OrganizationWriter(files, day, org) as writer:
            for page in ports.store.passages(org, size=PAGE_SIZE):
                writer.add(page)
                done += len(page)
                progress(BackupProgress(org, done, total))
        written += writer.written
    manifest = BackupManifest(date=day.isoformat(), taken_at=taken_at.isoformat(), files=written)
    with files.open_write(manifest_path(day)) as out:
        out.write(json.dumps(manifest.to_json(), indent=2, sort_keys=True).encode())
    for org in chosen:
        mine = [f for f in written if f.organization_id == str(org)]
        details = {"date": manifest.date, "rows": sum(f.rows for f in mine), "files": len(mine)}
        _audit(ports, org, actor, "export", details)
    return manifest


def daily_backup(
    ports: BackupPorts, files: BackupFiles, now: dt.datetime | None = None
) -> BackupManifest:
    """The scheduled job (AWS: functions/search_backup; locally `coach serve`): today's
    backup of every organization."""
    moment = now or dt.datetime.now(dt.UTC)
    return backup(ports, files, moment.astimezone(dt.UTC).date(), now=moment)


@dataclass
class OrganizationReconciliation:
    """What differed in one organization between its backup and the store, and what was
    done about it. Ids and counts only."""

    organization_id: str
    in_backup: int = 0
    restored_missing: int = 0  # in the backup, not in the store: written back
    restored_changed: int = 0  # different in the store: written back as backed up
    changed: dict[str, int] = field(default_factory=lambda: {"text": 0, "vector": 0, "metadata": 0})
    unchanged: int = 0
    kept_not_in_backup: int = 0  # only in the store: kept
    kept_ids: list[str] = field(default_factory=list)  # the first KEPT_LISTED of them
    skipped_erased: int = 0  # their session or client was deleted or erased since
    skipped_changed_since: int = 0  # their session changed or was indexed again since
    sessions_changed_since: list[str] = field(default_factory=list)
    indexed: int = 0  # passages sent to the vector and keyword indexes

    @property
    def restored(self) -> int:
        return self.restored_missing + self.restored_changed


@dataclass(frozen=True)
class ReconciliationReport:
    date: str
    taken_at: str
    organizations: list[OrganizationReconciliation]

    def to_json(self) -> dict[str, Any]:
        per_org = [{**asdict(o), "restored": o.restored} for o in self.organizations]
        totals: Counter[str] = Counter()
        for entry in per_org:
            totals.update({k: v for k, v in entry.items() if isinstance(v, int)})
        return {
            "date": self.date,
            "taken_at": self.taken_at,
            "totals": dict(totals),
            "organizations": per_org,
        }


@dataclass(frozen=True)
class RestoreProgress:
    organization_id: uuid.UUID
    phase: str  # "verifying" (checksums) or "restoring"
    done: int
    total: int


def read_manifest(source: BackupSource, path: str = MANIFEST_NAME) -> BackupManifest:
    try:
        with source.open_read(path) as file:
            document = json.loads(file.read())
    except FileNotFoundError:
        raise BackupRefused(f"There is no backup manifest at {path}.") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupRefused(
            f"The backup manifest {path} is not readable JSON (changed or truncated)."
        ) from None
    return BackupManifest.from_json(document)


def restore(
    ports: BackupPorts,
    source: BackupSource,
    *,
    manifest_name: str = MANIFEST_NAME,
    organizations: Collection[uuid.UUID] | None = None,
    progress: Callable[[RestoreProgress], None] = lambda _: None,
    actor: str = "system:search-restore",
) -> ReconciliationReport:
    """Restores a backup (``source``: its manifest's folder) into the store and both indexes,
    for these organizations (default: every one in it). Raises BackupRefused, having changed
    nothing, when a file is missing or not the one the manifest lists."""
    manifest = read_manifest(source, manifest_name)
    chosen = [
        org
        for org in map(uuid.UUID, manifest.organizations)
        if organizations is None or org in organizations
    ]
    by_org = {org: [f for f in manifest.files if f.organization_id == str(org)] for org in chosen}
    for org, org_files in by_org.items():
        _verify(source, org, org_files, progress)
    restoring = _Restoring(dt.datetime.fromisoformat(manifest.taken_at), progress)
    existing = set(ports.store.organizations())
    reports = []
    for org, org_files in by_org.items():
        if org not in existing:  # the whole organization is gone: nothing of it comes back
            rows = sum(f.rows for f in org_files)
            reports.append(
                OrganizationReconciliation(str(org), in_backup=rows, skipped_erased=rows)
            )
            continue
        report = _restore_organization(ports, source, org, org_files, restoring)
        counts = {k: v for k, v in asdict(report).items() if isinstance(v, int)}
        _audit(ports, org, actor, "restore", {"date": manifest.date, **counts})
        reports.append(report)
    return ReconciliationReport(manifest.date, manifest.taken_at, reports)


# --- writing -------------------------------------------------------------------------------


def _schema(dimensions: int) -> Any:
    import pyarrow as pa

    uuid_text = pa.string()
    return pa.schema(
        [
            ("id", uuid_text),
            ("organization_id", uuid_text),
            ("session_id", uuid_text),
            ("coach_id", uuid_text),
            ("client_id", uuid_text),
            ("client_name", pa.string()),
            ("speaker", pa.string()),
            ("kind", pa.string()),
            ("turn_index", pa.int32()),
            ("turn_end", pa.int32()),
            ("item_index", pa.int32()),
            ("start", pa.float64()),
            ("session_date", pa.date32()),
            ("session_type", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("source", pa.string()),
            ("text", pa.string()),
            ("model", pa.string()),
            ("embedding", pa.list_(pa.float32(), dimensions)),
            ("indexed_at", pa.timestamp("us", tz="UTC")),
        ],
        metadata={"coaching.format": FORMAT, "coaching.dimensions": str(dimensions)},
    )


def _row(indexed: IndexedPassage) -> dict[str, Any]:
    p = indexed.passage
    return {
        "id": str(p.id),
        "organization_id": str(p.organization_id),
        "session_id": str(p.session_id),
        "coach_id": _text(p.coach_id),
        "client_id": _text(p.client_id),
        "client_name": p.client_name,
        "speaker": p.speaker,
        "kind": p.kind,
        "turn_index": p.turn_index,
        "turn_end": p.turn_end,
        "item_index": p.item_index,
        "start": p.start,
        "session_date": p.session_date,
        "session_type": p.session_type,
        "tags": list(p.tags),
        "source": p.source,
        "text": p.text,
        "model": indexed.model if indexed.vector is not None else None,
        "embedding": indexed.vector,
        "indexed_at": indexed.indexed_at,
    }


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


class _HashingSink(io.RawIOBase):
    """Counts and hashes what Parquet writes on its way to the destination file."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._out.write(chunk)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.size


class _Part:
    """One Parquet file being written: one embedding dimension, at most ROWS_PER_PART rows."""

    def __init__(self, files: BackupFiles, org: uuid.UUID, path: str, dimensions: int) -> None:
        import pyarrow.parquet as pq

        self.org, self.path, self.dimensions = org, path, dimensions
        self.rows = 0
        self.models: Counter[str] = Counter()
        self._stack = ExitStack()
        self._sink = _HashingSink(self._stack.enter_context(files.open_write(path)))
        self._schema = _schema(dimensions)
        self._writer = pq.ParquetWriter(self._sink, self._schema, compression="zstd")

    def write(self, passages: Sequence[IndexedPassage]) -> None:
        import pyarrow as pa

        self._writer.write_batch(
            pa.RecordBatch.from_pylist([_row(p) for p in passages], schema=self._schema)
        )
        self.rows += len(passages)
        self.models.update(p.model or "" if p.vector is not None else "" for p in passages)

    def close(self, relative_to: str) -> BackupFile:
        self._writer.close()
        self._stack.close()
        return BackupFile(
            organization_id=str(self.org),
            path=self.path.removeprefix(relative_to + "/"),
            rows=self.rows,
            bytes=self._sink.size,
            sha256=self._sink.sha256.hexdigest(),
            dimensions=self.dimensions,
            models=dict(sorted(self.models.items())),
        )

    def abandon(self) -> None:
        self._stack.close()


class _OrganizationWriter:
    """An organization's part files: one open per embedding dimension, a new one every
    ROWS_PER_PART rows. A passage without a vector joins whichever part is open."""

    def __init__(self, files: BackupFiles, day: dt.date, org: uuid.UUID) -> None:
        self._files, self._day, self._org = files, day, org
        self._open: dict[int, _Part] = {}
        self._next = 0
        self.written: list[BackupFile] = []

    def __enter__(self) -> _OrganizationWriter:
        return self

    def __exit__(self, error_type: object, *_: object) -> None:
        for part in self._open.values():
            if error_type is None:
                self.written.append(part.close(day_folder(self._day)))
            else:
                part.abandon()
        self._open.clear()
        self.written.sort(key=lambda f: f.path)

    def add(self, page: Sequence[IndexedPassage]) -> None:
        groups: dict[int | None, list[IndexedPassage]] = {}
        for indexed in page:
            key = None if indexed.vector is None else len(indexed.vector)
            groups.setdefault(key, []).append(indexed)
        for dimensions, passages in groups.items():
            if dimensions is None:  # any open part takes them (their embedding is null)
                dimensions = next(iter(self._open), 0)
            self._part(dimensions).write(passages)

    def _part(self, dimensions: int) -> _Part:
        part = self._open.get(dimensions)
        if part is not None and part.rows >= ROWS_PER_PART:
            self.written.append(part.close(day_folder(self._day)))
            part = None
        if part is None:
            path = f"{day_folder(self._day)}/organization={self._org}/part-{self._next}.parquet"
            self._next += 1
            part = self._open[dimensions] = _Part(self._files, self._org, path, dimensions)
        return part


# --- restoring -----------------------------------------------------------------------------


def _verify(
    source: BackupSource,
    org: uuid.UUID,
    files: Sequence[BackupFile],
    progress: Callable[[RestoreProgress], None],
) -> None:
    for done, entry in enumerate(files, start=1):
        digest, size = hashlib.sha256(), 0
        try:
            with source.open_read(entry.path) as file:
                while chunk := file.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            raise BackupRefused(
                f"The backup file {entry.path} listed in the manifest is missing: nothing "
                "was restored."
            ) from None
        if size != entry.bytes or digest.hexdigest() != entry.sha256:
            raise BackupRefused(
                f"The backup file {entry.path} is not the one the manifest lists (its "
                f"SHA-256 or size differs: changed or truncated): nothing was restored."
            )
        progress(RestoreProgress(org, "verifying", done, len(files)))


def _read(source: BackupSource, stack: ExitStack, entry: BackupFile) -> Iterator[IndexedPassage]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(stack.enter_context(source.open_read(entry.path)))
    for batch in parquet.iter_batches(batch_size=PAGE_SIZE):
        for row in batch.to_pylist():
            if row["organization_id"] != entry.organization_id:
                raise BackupRefused(
                    f"The backup file {entry.path} holds another organization's passages."
                )
            yield _indexed(row)


def _indexed(row: dict[str, Any]) -> IndexedPassage:
    vector = row.pop("embedding")
    model = row.pop("model")
    indexed_at = row.pop("indexed_at")
    passage = Passage.model_validate({**row, "tags": tuple(row["tags"] or ())})
    return IndexedPassage(passage, vector, model if vector is not None else None, indexed_at)


def _side_by_side(
    backed_up: Iterator[IndexedPassage], stored: Iterator[IndexedPassage]
) -> Iterator[tuple[IndexedPassage | None, IndexedPassage | None]]:
    """Both streams in id order, merged: (backed up, stored), either None where missing."""
    b, s = next(backed_up, None), next(stored, None)
    while b is not None or s is not None:
        if s is None or (b is not None and b.passage.id < s.passage.id):
            yield b, None
            b = next(backed_up, None)
        elif b is None or s.passage.id < b.passage.id:
            yield None, s
            s = next(stored, None)
        else:
            yield b, s
            b, s = next(backed_up, None), next(stored, None)


def _differences(backed_up: IndexedPassage, stored: IndexedPassage) -> list[str]:
    found = []
    if backed_up.passage.text != stored.passage.text:
        found.append("text")
    if backed_up.model != stored.model or _float32(backed_up.vector) != _float32(stored.vector):
        found.append("vector")
    others = {"text"}
    if backed_up.passage.model_dump(exclude=others) != stored.passage.model_dump(exclude=others):
        found.append("metadata")
    return found


def _float32(vector: list[float] | None) -> array[float] | None:
    # Vectors are float32 both in pgvector and in the backup: compared at that precision.
    return None if vector is None else array("f", vector)


def _restore_organization(
    ports: BackupPorts,
    source: BackupSource,
    org: uuid.UUID,
    files: Sequence[BackupFile],
    restoring: _Restoring,
) -> OrganizationReconciliation:
    walk = _OrganizationRestore(ports, org, restoring.taken_at)
    total = sum(f.rows for f in files)
    with ExitStack() as stack:
        backed_up = heapq.merge(
            *(_read(source, stack, entry) for entry in files), key=lambda p: p.passage.id
        )
        stored = (p for page in ports.store.passages(org, size=PAGE_SIZE) for p in page)
        pairs: list[_Pair] = []
        for pair in _side_by_side(backed_up, stored):
            pairs.append(pair)
            if len(pairs) == PAGE_SIZE:
                walk.step(pairs)
                restoring.progress(RestoreProgress(org, "restoring", walk.report.in_backup, total))
                pairs = []
        walk.step(pairs)
        restoring.progress(RestoreProgress(org, "restoring", walk.report.in_backup, total))
    walk.report.sessions_changed_since = sorted(map(str, walk.changed_sessions))
    return walk.report


@dataclass(frozen=True)
class _Restoring:
    taken_at: dt.datetime
    progress: Callable[[RestoreProgress], None]


_Pair = tuple[IndexedPassage | None, IndexedPassage | None]


class _OrganizationRestore:
    """One organization's walk, a page of (backed up, stored) pairs at a time: classifies
    them, writes back what should be, sends what the store then holds to both indexes."""

    def __init__(self, ports: BackupPorts, org: uuid.UUID, taken_at: dt.datetime) -> None:
        self._ports, self._org, self._taken_at = ports, org, taken_at
        self.report = OrganizationReconciliation(str(org))
        self.changed_sessions: set[uuid.UUID] = set()

    def step(self, pairs: Sequence[_Pair]) -> None:
        final: list[IndexedPassage] = []
        candidates: list[tuple[IndexedPassage, IndexedPassage | None, list[str]]] = []
        for backed_up, stored in pairs:
            if backed_up is None:
                assert stored is not None
                self._kept(stored)
                final.append(stored)
                continue
            self.report.in_backup += 1
            differences = [] if stored is None else _differences(backed_up, stored)
            if stored is not None and not differences:
                self.report.unchanged += 1
                final.append(stored)
            else:
                candidates.append((backed_up, stored, differences))
        restored = self._may_come_back(candidates, final)
        self._ports.store.upsert(self._org, restored)
        final += restored
        _send_to_indexes(self._ports.search, self._org, final)
        self.report.indexed += len(final)

    def _kept(self, stored: IndexedPassage) -> None:
        self.report.kept_not_in_backup += 1
        if len(self.report.kept_ids) < KEPT_LISTED:
            self.report.kept_ids.append(str(stored.passage.id))

    def _may_come_back(
        self,
        candidates: Sequence[tuple[IndexedPassage, IndexedPassage | None, list[str]]],
        final: list[IndexedPassage],
    ) -> list[IndexedPassage]:
        """The backed-up passages to write back; the store's version of the others (if any)
        stays and goes into ``final``."""
        if not candidates:
            return []
        standing = self._ports.store.standing(
            self._org,
            sorted({b.passage.session_id for b, _, _ in candidates}),
            sorted({b.passage.client_id for b, _, _ in candidates if b.passage.client_id}),
            self._taken_at,
        )
        restored: list[IndexedPassage] = []
        for backed_up, stored, differences in candidates:
            passage = backed_up.passage
            if passage.session_id in standing.sessions_gone or (
                passage.client_id in standing.clients_gone
            ):
                self.report.skipped_erased += 1
            elif passage.session_id in standing.sessions_changed:
                self.report.skipped_changed_since += 1
                self.changed_sessions.add(passage.session_id)
            else:
                restored.append(backed_up)
                self._count_restored(stored, differences)
                continue
            if stored is not None:
                final.append(stored)
        return restored

    def _count_restored(self, stored: IndexedPassage | None, differences: list[str]) -> None:
        if stored is None:
            self.report.restored_missing += 1
            return
        self.report.restored_changed += 1
        for name in differences:
            self.report.changed[name] += 1


def _send_to_indexes(
    search: SearchPorts, org: uuid.UUID, passages: Sequence[IndexedPassage]
) -> None:
    if not passages:
        return
    model = search.embedder.model
    # The vector index answers queries of the current model only (Pinecone holds one model's
    # dimension): other models' vectors stay in the store until a reindex replaces them.
    with_vectors = [p for p in passages if p.vector is not None and p.model == model]
    if with_vectors:
        search.vectors.upsert(
            org, [p.passage for p in with_vectors], [p.vector or [] for p in with_vectors]
        )
    search.keywords.upsert(org, [p.passage for p in passages])
