"""`coach` commands take their settings from the context object the CLI's callback made,
never by reading the environment again themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coaching.config import Settings
from local_runtime import cli_context
from local_runtime.cli import app
from local_runtime.cli_context import CoachContext


@pytest.fixture
def no_settings_read(monkeypatch):
    """Fails any command that reads the settings behind its context's back."""

    def refused():
        raise AssertionError("settings read outside the CLI callback")

    monkeypatch.setattr("coaching.config.get_settings", refused)


def write_event(home: Path) -> None:
    log = Settings(home=home).security_events_log
    log.parent.mkdir(parents=True)
    record = {"at": "2999-01-01T00:00:00+00:00", "security_event": "forbidden", "actor": "x"}
    log.write_text(json.dumps(record) + "\n", encoding="utf-8")


def test_a_command_reads_the_settings_of_its_context(tmp_path, no_settings_read):
    # Given settings whose home holds one security event, handed in as the context object
    write_event(tmp_path)
    context = CoachContext(Settings(home=tmp_path))
    # When `coach security events` runs with them
    result = CliRunner().invoke(app, ["security", "events", "--json"], obj=context)
    # Then it read that home's log (and never the environment's settings)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["forbidden"] == 1


def test_the_callback_reads_the_settings_once_for_the_command(tmp_path, monkeypatch):
    reads: list[Settings] = []

    def read() -> Settings:
        reads.append(Settings(home=tmp_path))
        return reads[-1]

    monkeypatch.setattr("coaching.config.get_settings", read)
    result = CliRunner().invoke(app, ["security", "events", "--json"])
    assert result.exit_code == 0, result.output
    assert len(reads) == 1


def test_the_platform_is_started_once_per_command(monkeypatch, tmp_path):
    started: list[Settings] = []
    monkeypatch.setattr(
        "local_runtime.platform.start_local_platform",
        lambda settings, **options: started.append(settings) or object(),
    )
    context = CoachContext(Settings(home=tmp_path))
    assert context.platform() is context.platform()
    assert started == [context.settings]
    assert cli_context.CoachContext is CoachContext


def test_the_platform_a_command_started_is_closed_when_it_ends(monkeypatch, tmp_path):
    # Given a command that starts the platform
    closed: list[bool] = []

    class Started:
        def close(self) -> None:
            closed.append(True)

    monkeypatch.setattr(
        "local_runtime.platform.start_local_platform", lambda settings, **options: Started()
    )
    context = CoachContext(Settings(home=tmp_path))
    monkeypatch.setattr(
        "local_runtime.cli_security.coach_context",
        lambda ctx: context.platform() and context,
    )
    # When it has run
    result = CliRunner().invoke(app, ["security", "events", "--json"], obj=context)
    # Then its platform was closed
    assert result.exit_code == 0, result.output
    assert closed == [True]
