"""`coach export schedule` and `coach export list`: a schedule made as the local operator,
listed with the organization's recent runs; refusals in the README's error shape."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from local_runtime.cli import app

pytestmark = pytest.mark.integration


def test_schedule_then_list_shows_it_with_its_next_run(platform):
    made = CliRunner().invoke(
        app,
        [
            "export", "schedule", "--cron", "0 6 * * 1", "--format", "csv",
            "--timezone", "Europe/Berlin", "--json",
        ],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    schedule = json.loads(made.stdout)
    assert schedule["description"] == "At 06:00 on Monday"
    assert schedule["timezone"] == "Europe/Berlin" and schedule["next_run_at"]
    listed = CliRunner().invoke(app, ["export", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    answer = json.loads(listed.stdout)
    assert schedule["id"] in [s["id"] for s in answer["schedules"]]
    assert isinstance(answer["runs"], list)
    # And in words
    table = CliRunner().invoke(app, ["export", "list"])
    assert table.exit_code == 0 and "Schedules" in table.stdout


@pytest.mark.parametrize(
    ("arguments", "wrong"),
    [
        (["--cron", "* * * * *", "--format", "csv"], "once an hour"),
        (["--cron", "0 6 * * 1", "--format", "csv", "--timezone", "Mars/Base"], "Mars/Base"),
        (["--cron", "0 6 * * 1", "--format", "xlsx"], "--format"),
    ],
)
def test_a_cadence_or_format_it_cannot_run_by_is_refused(platform, arguments, wrong):
    result = CliRunner().invoke(app, ["export", "schedule", *arguments, "--json"])
    assert result.exit_code != 0
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "COACH_422" and wrong in error["message"]
