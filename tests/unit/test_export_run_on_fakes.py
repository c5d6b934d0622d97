"""run_export on fakes: the window a run reads (a schedule's last watermark less the overlap),
a queued run started, a running one refused, what the progress callback hears."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import uuid

import pytest

from coaching.domain.errors import Conflict, NotFound
from coaching.exports.schemas import ENTITIES, SCHEMAS
from coaching.ports.export_runs import ExportRun
from coaching.usecases.export_run import ExportPorts, ExportRequest, run_export
from tests.fakes.export_runs import FakeExportRuns

pytestmark = pytest.mark.unit

ORG = uuid.uuid4()
T0 = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)


class FakeRows:
    """Every entity one row per client, changed at ``changed``; records what it was asked."""

    def __init__(self, changed: dt.datetime) -> None:
        self.changed = changed
        self.asked: list[dict] = []

    def rows(self, org, entity, *, coach_ids, since, include_sensitive):
        self.asked.append({"entity": entity, "since": since, "coach_ids": coach_ids})
        if since is not None and self.changed < since:
            return
        row = dict.fromkeys(SCHEMAS[entity].names)
        row[SCHEMAS[entity].key] = str(uuid.uuid5(uuid.NAMESPACE_OID, entity))
        row["updated_at"] = self.changed
        if "client_id" in row:
            row["client_id"] = str(uuid.UUID(int=7))
        yield row


class Audit:
    def __init__(self) -> None:
        self.entries: list = []

    def record(self, entry) -> None:
        self.entries.append(entry)


class MemoryFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    @contextlib.contextmanager
    def open_write(self, path):
        buffer = io.BytesIO()
        yield buffer
        self.files[path] = buffer.getvalue()

    def sha256(self, path):
        data = self.files.get(path)
        return None if data is None else hashlib.sha256(data).hexdigest()

    def url(self, path, expires_in):
        return f"memory://{path}"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def deps(clock):
    return ExportPorts(rows=FakeRows(T0), runs=FakeExportRuns(clock), audit=Audit())


def request(**options) -> ExportRequest:
    options = {"coach_ids": None, "format": "jsonl", **options}
    return ExportRequest(organization_id=ORG, actor="user:1", **options)


def test_a_schedule_reads_from_its_last_watermark_less_the_overlap(deps, clock):
    schedule = uuid.uuid4()
    first = run_export(deps, request(schedule_id=schedule), MemoryFiles())
    assert first.since is None and first.watermark == T0
    clock.now = T0 + dt.timedelta(hours=1)
    second = run_export(deps, request(schedule_id=schedule), MemoryFiles())
    assert second.since == T0 - deps.watermark_overlap
    assert {a["since"] for a in deps.rows.asked[-4:]} == {T0 - deps.watermark_overlap}
    # A run of no schedule reads what it was asked
    asked = T0 - dt.timedelta(days=3)
    assert run_export(deps, request(since=asked), MemoryFiles()).since == asked


def test_a_queued_run_starts_and_a_finished_one_is_refused(deps):
    queued = ExportRun(
        id=uuid.uuid4(), organization_id=ORG, actor="user:1", format="jsonl", status="queued"
    )
    deps.runs.create(queued)
    manifest = run_export(deps, request(run_id=queued.id), MemoryFiles())
    assert manifest.run_id == queued.id
    assert deps.runs.get(ORG, queued.id).status == "succeeded"
    with pytest.raises(Conflict, match="succeeded"):
        run_export(deps, request(run_id=queued.id), MemoryFiles())
    with pytest.raises(NotFound):
        run_export(deps, request(run_id=uuid.uuid4()), MemoryFiles())


def test_progress_hears_each_entity_done_and_the_audit_names_the_clients(deps):
    heard = []
    run_export(
        deps,
        request(),
        MemoryFiles(),
        progress=lambda entity, rows, *, done=False, skipped=False: heard.append(
            (entity, rows, done, skipped)
        ),
    )
    assert heard == [(entity, 1, True, False) for entity in ENTITIES]
    (entry,) = deps.audit.entries
    assert entry.action == "export"
    assert entry.client_ids == (uuid.UUID(int=7),)
    assert entry.details["rows"] == dict.fromkeys(ENTITIES, 1)


def test_a_failure_of_ours_keeps_its_sentence_and_any_other_only_its_kind(deps, clock):
    class Broken(FakeRows):
        def __init__(self, error):
            super().__init__(T0)
            self.error = error

        def rows(self, *args, **kwargs):
            raise self.error
            yield

    for error, said in (
        (NotFound("Client 1 does not exist."), "Client 1 does not exist."),
        (RuntimeError("row content here"), "The export failed (RuntimeError)"),
    ):
        clock.now += dt.timedelta(minutes=1)
        broken = ExportPorts(rows=Broken(error), runs=deps.runs, audit=deps.audit)
        with pytest.raises(type(error)):
            run_export(broken, request(), MemoryFiles())
        run = deps.runs.list_runs(ORG)[0]
        assert run.status == "failed"
        assert run.error.startswith(said)
        assert "row content" not in run.error


def test_a_failed_run_resumes_as_it_was_first_asked(deps, clock):
    class FailingOnce(MemoryFiles):
        failed = False

        @contextlib.contextmanager
        def open_write(self, path):
            if path.startswith("summaries") and not self.failed:
                self.failed = True
                raise OSError("disk full")
            with super().open_write(path) as file:
                yield file

    files = FailingOnce()
    coach = uuid.uuid4()
    first = request(format="csv", include_sensitive=True, coach_ids=frozenset({coach}))
    with pytest.raises(OSError):
        run_export(deps, first, files)
    failed = deps.runs.list_runs(ORG)[0]
    # Asked again by id alone (another format, no options): the first asking holds
    clock.now += dt.timedelta(minutes=5)
    manifest = run_export(deps, request(run_id=failed.id), files)
    assert manifest.format == "csv"
    assert [f.path for f in manifest.files] == [f"{e}.csv" for e in ENTITIES]
    assert manifest.watermark == failed.watermark
    entry = deps.audit.entries[-1]
    assert entry.details["include_sensitive"] is True
    assert entry.details["coach_ids"] == [str(coach)]
    assert {a["coach_ids"] for a in deps.rows.asked} == {frozenset({coach})}
