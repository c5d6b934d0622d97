"""The search backup's rules on the fakes: a part file per embedding dimension, split when
large; a restore sends the current model's vectors to the vector index and every passage to
the keyword index; what is gone or changed since stays out; `coach serve`'s daily job backs up
once a day and keeps the days it is told to."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from coaching.adapters.local.backup_files import LocalBackupFiles
from coaching.domain.errors import BackupRefused
from coaching.domain.search import Passage
from coaching.ports.search_backup import IndexedPassage
from coaching.ports.search_index import SearchServices
from coaching.usecases import search_backup
from coaching.usecases.search_backup import BackupPorts, backup, day_folder, restore
from local_runtime.search_backup_schedule import SearchBackupSchedule
from tests.fakes.search import FakeKeywordIndex, FakeVectorIndex
from tests.fakes.search_backup import FakePassageBackupStore

ORG = uuid.UUID("00000000-0000-4000-8000-00000000b001")
SESSION = uuid.UUID("00000000-0000-4000-8000-00000000b002")
CLIENT = uuid.UUID("00000000-0000-4000-8000-00000000b003")
DAY = dt.date(2026, 11, 30)
INDEXED = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
TAKEN = dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC)


class CurrentModel:
    model = "model-a"
    dimensions = 4

    def embed(self, texts):  # a restore never embeds
        raise AssertionError("embedded again")


def indexed(
    n: int,
    *,
    dims: int | None = 4,
    model: str = "model-a",
    client: uuid.UUID | None = None,
    session: uuid.UUID = SESSION,
) -> IndexedPassage:
    passage = Passage(
        id=uuid.UUID(int=n + 1),
        organization_id=ORG,
        session_id=session,
        client_id=client,
        kind="passage",
        turn_index=n,
        session_date=dt.date(2026, 11, 1),
        tags=("leadership",),
        source="week.vtt",
        text=f"passage number {n}",
    )
    vector = None if dims is None else [n / 10 + d for d in range(dims)]
    return IndexedPassage(passage, vector, model if vector else None, INDEXED)


def ports_with(*passages: IndexedPassage) -> BackupPorts:
    store = FakePassageBackupStore()
    store.add(*passages)
    search = SearchServices(
        store=None,  # type: ignore[arg-type] - a backup and a restore never read it
        vectors=FakeVectorIndex(),
        keywords=FakeKeywordIndex(),
        embedder=CurrentModel(),
    )
    return BackupPorts(store=store, search=search)


def test_each_embedding_dimension_has_its_own_parts_split_when_large(tmp_path, monkeypatch):
    # Given five passages of one model, two of a model with more dimensions, one without
    monkeypatch.setattr(search_backup, "ROWS_PER_PART", 3)
    monkeypatch.setattr(search_backup, "PAGE_SIZE", 2)
    passages = [indexed(n) for n in range(5)]
    passages += [indexed(n, dims=6, model="model-b") for n in range(5, 7)]
    passages += [indexed(7, dims=None)]
    # When backed up
    manifest = backup(ports_with(*passages), LocalBackupFiles(tmp_path), DAY, now=TAKEN)
    # Then each file holds one dimension; none has more rows than a part may
    assert manifest.rows == 8
    assert manifest.models == {"": 1, "model-a": 5, "model-b": 2}
    assert sorted(f.dimensions for f in manifest.files) == [4, 4, 6]
    assert all(f.rows <= 4 for f in manifest.files)  # a page may finish a full part
    for entry in manifest.files:
        table = pq.read_table(tmp_path / day_folder(DAY) / entry.path)
        assert table.num_rows == entry.rows
        assert table.schema.field("embedding").type.list_size == entry.dimensions
    assert manifest.taken_at == TAKEN.isoformat()


def test_a_restore_never_embeds_and_sends_the_current_models_vectors_only(tmp_path):
    passages = [indexed(0), indexed(1, dims=6, model="model-b"), indexed(2, dims=None)]
    ports = ports_with(*passages)
    backup(ports, LocalBackupFiles(tmp_path), DAY, now=TAKEN)
    ports.store.passages_by_org.clear()  # type: ignore[attr-defined]
    # When restored
    report = restore(ports, LocalBackupFiles(tmp_path / day_folder(DAY)))
    # Then the store has every passage as it was (vectors at float32 precision)
    stored = ports.store.passages_by_org[ORG]  # type: ignore[attr-defined]
    assert [stored[p.passage.id].passage for p in passages] == [p.passage for p in passages]
    assert stored[passages[1].passage.id].vector == pytest.approx(passages[1].vector)
    assert report.organizations[0].restored_missing == 3
    # And the vector index has the current model's vectors; the keyword index every passage
    vectors, keywords = ports.search.vectors, ports.search.keywords
    assert set(vectors.vectors[ORG]) == {passages[0].passage.id}  # type: ignore[attr-defined]
    assert set(keywords.remote.passages[ORG]) == {p.passage.id for p in passages}  # type: ignore[attr-defined]


def test_what_is_gone_or_changed_since_the_backup_stays_out(tmp_path):
    later_session = uuid.UUID(int=0xB0B)
    passages = [indexed(0, client=CLIENT), indexed(1), indexed(2, session=later_session)]
    ports = ports_with(*passages)
    backup(ports, LocalBackupFiles(tmp_path), DAY, now=TAKEN)
    # Given the client erased, the other session changed after the backup, the index lost
    store = ports.store
    store.clients.clear()  # type: ignore[attr-defined]
    store.sessions[later_session] = TAKEN + dt.timedelta(hours=1)  # type: ignore[attr-defined]
    store.passages_by_org.clear()  # type: ignore[attr-defined]
    # When restored
    report = restore(ports, LocalBackupFiles(tmp_path / day_folder(DAY))).organizations[0]
    # Then only the passage of neither comes back
    assert set(store.passages_by_org[ORG]) == {passages[1].passage.id}  # type: ignore[attr-defined]
    assert (report.skipped_erased, report.skipped_changed_since) == (1, 1)
    assert report.sessions_changed_since == [str(later_session)]


def _schedule(ports: BackupPorts, root: Path, now: list[dt.datetime]) -> SearchBackupSchedule:
    return SearchBackupSchedule(ports, root, keep_days=2, clock=lambda: now[0])


def test_serve_backs_up_once_a_day_and_keeps_the_days_it_is_told(tmp_path):
    ports = ports_with(indexed(0))
    now = [dt.datetime(2026, 11, 28, 3, tzinfo=dt.UTC)]
    schedule = _schedule(ports, tmp_path, now)
    # The first round of the day backs up; the next ones (and a restarted server) do not
    assert schedule.run_once() is not None
    assert schedule.run_once() is None
    assert _schedule(ports, tmp_path, now).run_once() is None
    # Each later day has its own backup, and only the last two days are kept
    for day in (29, 30):
        now[0] = dt.datetime(2026, 11, day, 3, tzinfo=dt.UTC)
        manifest = schedule.run_once()
        assert manifest is not None and manifest.date == f"2026-11-{day}"
    kept = sorted(p.name for p in (tmp_path / "search-backups").iterdir())
    assert kept == ["date=2026-11-29", "date=2026-11-30"]


def test_a_failed_backup_is_logged_and_tried_again_next_round(tmp_path, caplog):
    ports = ports_with(indexed(0))
    now = [dt.datetime(2026, 11, 28, 3, tzinfo=dt.UTC)]
    schedule = _schedule(ports, tmp_path, now)
    broken = BackupPorts(store=None, search=ports.search)  # type: ignore[arg-type]
    assert _schedule(broken, tmp_path, now).run_once() is None
    assert "could not be backed up" in caplog.text
    assert schedule.run_once() is not None


def test_a_manifest_naming_a_file_outside_its_folder_is_refused(tmp_path):
    ports = ports_with(indexed(0))
    backup(ports, LocalBackupFiles(tmp_path), DAY, now=TAKEN)
    manifest = tmp_path / day_folder(DAY) / "manifest.json"
    document = json.loads(manifest.read_text())
    document["files"][0]["path"] = "../../../etc/passwd"
    manifest.write_text(json.dumps(document))
    with pytest.raises(BackupRefused, match="cannot hold"):
        restore(ports, LocalBackupFiles(tmp_path / day_folder(DAY)))


def test_an_organization_gone_since_the_backup_does_not_come_back(tmp_path):
    ports = ports_with(indexed(0), indexed(1))
    backup(ports, LocalBackupFiles(tmp_path), DAY, now=TAKEN)
    store = ports.store
    store.orgs.clear()  # type: ignore[attr-defined]
    store.passages_by_org.clear()  # type: ignore[attr-defined]
    [report] = restore(ports, LocalBackupFiles(tmp_path / day_folder(DAY))).organizations
    assert (report.in_backup, report.skipped_erased, report.restored) == (2, 2, 0)
    assert store.passages_by_org == {}  # type: ignore[attr-defined]
