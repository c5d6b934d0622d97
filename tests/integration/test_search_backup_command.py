"""`coach search backup` and `coach search restore FILE|DATE`: today's backup under
$COACH_HOME/exports, restored by its day or its manifest's path; refusals in the README's
shape (exit 1, one JSON error object with --json)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from local_runtime.cli import app
from tests.local_ports import ports
from tests.review_data import add_coach, audit_trail, reviewed_session

pytestmark = pytest.mark.integration


def _count(org: uuid.UUID) -> int:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT count(*) AS n FROM search_passages WHERE organization_id = %s", (org,)
        ).fetchone()["n"]


def _wipe(org: uuid.UUID) -> None:
    with ports().database.transaction(org) as conn:
        conn.execute("DELETE FROM search_passages WHERE organization_id = %s", (org,))


def _run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["search", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def backed_up(platform, organization) -> tuple[uuid.UUID, dict]:
    reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))
    code, manifest = _run("backup", "--organization", str(organization))
    assert code == 0, manifest
    return organization, manifest


def test_today_s_backup_is_restored_by_its_day(platform, backed_up):
    org, manifest = backed_up
    # The backup is today's, under $COACH_HOME/exports
    today = dt.datetime.now(dt.UTC).date().isoformat()
    where = Path(manifest["manifest"])
    assert where == platform.settings.exports_dir / f"search-backups/date={today}/manifest.json"
    assert manifest["rows"] == _count(org) > 0
    assert manifest["organizations"] == [str(org)]
    # When the index is lost and the day restored
    _wipe(org)
    code, report = _run("restore", today, "--organization", str(org))
    # Then every passage is back, and the report says so
    assert code == 0, report
    assert report["totals"]["restored_missing"] == manifest["rows"] == _count(org)
    # And both are in the organization's audit log, with counts and no text
    trail = audit_trail(org, "search_backup")
    assert [(action, day) for action, day, _ in trail] == [("export", today), ("restore", today)]
    assert trail[0][2] == {"date": today, "rows": manifest["rows"], "files": 1}
    assert trail[1][2]["restored_missing"] == manifest["rows"]
    # And its manifest's path restores it too (nothing left to do)
    code, again = _run("restore", str(where), "--organization", str(org))
    assert code == 0 and again["totals"]["unchanged"] == manifest["rows"]


def test_a_changed_file_is_refused_with_exit_1(platform, backed_up):
    org, manifest = backed_up
    part = Path(manifest["manifest"]).parent / manifest["files"][0]["path"]
    part.write_bytes(part.read_bytes()[:-10])
    _wipe(org)
    code, answer = _run("restore", manifest["date"], "--organization", str(org))
    assert code == 1
    assert answer["error"]["code"] == "COACH_422"
    assert "not the one the manifest lists" in answer["error"]["message"]
    assert _count(org) == 0


@pytest.mark.parametrize("source", ["1999-01-01", "/nowhere/manifest.json"])
def test_a_backup_that_is_not_there_is_404(platform, source):
    code, answer = _run("restore", source)
    assert code == 1
    assert answer["error"]["code"] == "COACH_404"


def test_a_day_that_is_no_date_is_refused(platform):
    code, answer = _run("restore", "2026-13-45")
    assert (code, answer["error"]["code"]) == (1, "COACH_422")


def test_wrong_usage_is_exit_2_in_the_error_shape(platform):
    code, answer = _run("restore")  # no FILE|DATE
    assert code == 2
    assert answer["error"]["code"] == "COACH_400"
