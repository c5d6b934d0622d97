"""Retention: sessions older than their organization's retention_days go, everywhere."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from coaching.usecases.retention import ACTOR, purge_expired
from coaching.usecases.submit_transcript import process_transcript
from tests.local_ports import ports
from tests.samples import variant

pytestmark = pytest.mark.integration

NOW = dt.datetime.now(dt.UTC)


def new_organization(platform, retention_days: int | None) -> uuid.UUID:
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"retention {org}")
    if retention_days is not None:
        with ports().database.transaction(org) as conn:
            conn.execute(
                "UPDATE organizations SET settings = settings || %s WHERE id = %s",
                (Jsonb({"retention_days": retention_days}), org),
            )
    return org


def session_received(platform, org: uuid.UUID, tag: str, days_ago: int) -> uuid.UUID:
    submission, execution = process_transcript(
        platform.deps, platform.workflow, org, variant(tag), f"{tag}.vtt"
    )
    assert execution is not None and execution.status == "SUCCEEDED"
    # As if it had come in that long ago (the owner: a test's back door, not the app's)
    with ports().database.transaction() as conn:
        conn.execute(
            "UPDATE sessions SET created_at = %s WHERE id = %s",
            (NOW - dt.timedelta(days=days_ago), submission.session_id),
        )
    return submission.session_id


def traces(platform, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
    """What is left of a session: rows by table, index entries, its file. (The pending
    clients it created stay while another session has them: the younger one here.)"""
    with ports().database.transaction() as conn:
        counts = {
            table: conn.execute(
                sql.SQL("SELECT count(*) AS n FROM {} WHERE {} = %s").format(
                    sql.Identifier(table), sql.Identifier(column)
                ),
                (session_id,),
            ).fetchone()["n"]
            for table, column in (
                ("sessions", "id"),
                ("session_turns", "session_id"),
                ("session_participants", "session_id"),
                ("client_sessions", "session_id"),
                ("search_passages", "session_id"),
                ("step_runs", "session_id"),
                ("notifications", "session_id"),
                ("executions", "session_id"),
            )
        }
    key = f"transcripts/{org}/{session_id}/"
    counts["files"] = sum(1 for _ in (platform.settings.objects_dir / key).glob("*"))
    return counts


@pytest.fixture
def organizations(platform):
    """An organization keeping 30 days with a 40-day-old and a 5-day-old session, and one
    without retention with a 400-day-old session."""
    keeping = new_organization(platform, 30)
    forever = new_organization(platform, None)
    return {
        "keeping": keeping,
        "forever": forever,
        "old": session_received(platform, keeping, f"old-{keeping}", 40),
        "young": session_received(platform, keeping, f"young-{keeping}", 5),
        "ancient": session_received(platform, forever, f"ancient-{forever}", 400),
    }


def test_a_session_older_than_retention_is_gone_everywhere(platform, organizations):
    keeping, old = organizations["keeping"], organizations["old"]
    before = traces(platform, keeping, old)
    assert before["session_turns"] and before["search_passages"] and before["files"] == 1

    report = purge_expired(platform.deps, NOW, audit=ports().audit_log)

    assert old in [s.session_id for s in report.sessions if s.deleted]
    assert set(traces(platform, keeping, old).values()) == {0}
    # The index has nothing of it either
    with ports().database.transaction(keeping) as conn:
        hits = conn.execute(
            "SELECT count(*) AS n FROM search_passages WHERE organization_id = %s"
            " AND session_id = %s",
            (keeping, old),
        ).fetchone()["n"]
    assert hits == 0
    # And the purge is on record, by the system, with ids and counts only
    (entry,) = [
        e for e in ports().audit_log.entries(keeping, resource_id=str(old)) if e.action == "purge"
    ]
    assert entry.actor == ACTOR == "system:retention"
    assert entry.details["rows"]["sessions"] == 1 and entry.details["files"] == 1


def test_a_younger_session_and_an_organization_without_retention_keep_theirs(
    platform, organizations
):
    purge_expired(platform.deps, NOW, audit=ports().audit_log)
    young = traces(platform, organizations["keeping"], organizations["young"])
    assert young["sessions"] == 1 and young["session_turns"] > 0 and young["files"] == 1
    ancient = traces(platform, organizations["forever"], organizations["ancient"])
    assert ancient["sessions"] == 1 and ancient["files"] == 1


def test_a_dry_run_deletes_nothing(platform, organizations):
    report = purge_expired(platform.deps, NOW, audit=ports().audit_log, dry_run=True)
    assert organizations["old"] in [s.session_id for s in report.sessions]
    assert not any(s.deleted for s in report.sessions)
    assert traces(platform, organizations["keeping"], organizations["old"])["sessions"] == 1


def test_the_cli_purges_and_reports_as_json(platform, organizations):
    from local_runtime.cli import app

    dry = CliRunner().invoke(app, ["retention", "purge", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] is True and planned["deleted"] == 0
    assert str(organizations["old"]) in [s["session_id"] for s in planned["sessions"]]

    done = CliRunner().invoke(app, ["retention", "purge"])
    assert done.exit_code == 0, done.output
    assert "deleted" in done.stdout
    assert traces(platform, organizations["keeping"], organizations["old"])["sessions"] == 0


def test_the_scheduled_lambda_purges(platform, organizations):
    from coaching.adapters.local.lambda_context import LocalLambdaContext
    from functions.purge_expired.handler import lambda_handler

    context = LocalLambdaContext("purge_expired", "arn:aws:lambda:local:0:function:purge")
    result = lambda_handler({"source": "aws.events"}, context, ports=platform.ports)
    assert result["deleted"] >= 1 and result["failed"] == 0
    assert traces(platform, organizations["keeping"], organizations["old"])["sessions"] == 0


@pytest.mark.parametrize("days", [0, -3, 1.5, "30"])
def test_a_retention_that_is_not_a_whole_number_of_days_is_refused(platform, days):
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, "bad retention")
    with pytest.raises(psycopg.errors.CheckViolation):
        new_organization_settings(org, days)


def new_organization_settings(org: uuid.UUID, days) -> None:
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE organizations SET settings = settings || %s WHERE id = %s",
            (Jsonb({"retention_days": days}), org),
        )
