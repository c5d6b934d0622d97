"""The ExportRuns contract, on the fake and on PostgreSQL (table export_runs)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.adapters.postgres.export_runs import PostgresExportRuns
from coaching.domain.errors import NotFound
from coaching.ports.export_runs import ExportRun
from tests.contracts.backends import FakeBackend
from tests.fakes.export_runs import FakeExportRuns


@pytest.fixture
def runs(backend):
    if isinstance(backend, FakeBackend):
        return FakeExportRuns()
    return PostgresExportRuns(backend.db)


@pytest.fixture
def schedule(backend, org) -> uuid.UUID | None:
    """A schedule id the backend accepts (PostgreSQL: a row of export_schedules)."""
    if isinstance(backend, FakeBackend):
        return uuid.uuid4()
    with backend.db.transaction(org) as conn:
        return conn.execute(
            "INSERT INTO export_schedules (organization_id, created_by, cron, format)"
            " VALUES (%s, 'user:1', '0 6 * * *', 'csv') RETURNING id",
            (org,),
        ).fetchone()["id"]


def new_run(org, schedule_id=None, status="running") -> ExportRun:
    return ExportRun(
        id=uuid.uuid4(),
        organization_id=org,
        actor="user:1",
        format="csv",
        status=status,
        options={"include_sensitive": False, "coach_ids": None},
        schedule_id=schedule_id,
    )


def test_a_run_goes_from_running_to_succeeded_with_its_manifest(runs, org):
    run = new_run(org, status="queued")
    runs.create(run)
    assert runs.get(org, run.id).status == "queued"
    since = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    watermark = runs.start(org, run.id, since=since)
    assert watermark.tzinfo is not None
    runs.record_progress(org, run.id, {"files": [{"entity": "sessions"}]})
    assert runs.get(org, run.id).manifest == {"files": [{"entity": "sessions"}]}
    runs.finish(org, run.id, status="succeeded", row_counts={"sessions": 3}, manifest={"files": []})
    done = runs.get(org, run.id)
    assert (done.status, done.row_counts, done.manifest) == (
        "succeeded",
        {"sessions": 3},
        {"files": []},
    )
    assert (done.since, done.watermark) == (since, watermark)
    assert done.options == {"include_sensitive": False, "coach_ids": None}
    assert done.finished_at is not None


def test_a_failed_run_keeps_its_progress_and_its_watermark_does_not_count(runs, org, schedule):
    first = new_run(org, schedule)
    runs.create(first)
    first_mark = runs.start(org, first.id, since=None)
    runs.finish(org, first.id, status="succeeded", row_counts={}, manifest={})
    second = new_run(org, schedule)
    runs.create(second)
    runs.start(org, second.id, since=first_mark)
    runs.record_progress(org, second.id, {"files": ["kept"]})
    runs.finish(org, second.id, status="failed", row_counts={}, manifest=None, error="disk full")
    failed = runs.get(org, second.id)
    assert (failed.status, failed.manifest, failed.error) == (
        "failed",
        {"files": ["kept"]},
        "disk full",
    )
    assert runs.last_success_watermark(org, schedule) == first_mark
    # Restarted with its first watermark, it keeps it
    again = runs.start(org, second.id, since=first_mark, watermark=failed.watermark)
    assert again == failed.watermark
    assert runs.get(org, second.id).error is None


def test_runs_list_newest_first_by_schedule_and_stay_in_their_organization(
    runs, org, schedule, backend
):
    assert runs.last_success_watermark(org, schedule) is None
    ad_hoc, scheduled = new_run(org), new_run(org, schedule)
    runs.create(ad_hoc)
    runs.create(scheduled)
    assert {r.id for r in runs.list_runs(org)} == {ad_hoc.id, scheduled.id}
    assert [r.id for r in runs.list_runs(org, schedule_id=schedule)] == [scheduled.id]
    other = backend.new_org()
    assert runs.get(other, ad_hoc.id) is None
    assert runs.list_runs(other) == []
    with pytest.raises(NotFound):
        runs.start(other, ad_hoc.id, since=None)
