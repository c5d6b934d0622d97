"""`coach process` and friends in a new user's first hour (issue 13): a session always has a
coach, new options on known content are said and applied on request, a readable report, and
commands that say what they found (no users, no retention)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coaching.domain.identity import Role
from local_runtime.cli import app
from local_runtime.cli_context import CoachContext
from tests.api_calls import claims_for, request
from tests.local_ports import ports

pytestmark = pytest.mark.e2e

runner = CliRunner()


def _transcript(tmp_path: Path, name: str = "call.vtt") -> Path:
    """A group call of its own (a tag makes its content new), with a due day said."""
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / name
    path.write_text(
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:06.000\nMaya Chen: Welcome back. What did you try this week?\n\n"
        f"00:00:07.000 --> 00:00:15.000\nAnn Lee: I finally blocked focus time, code {tag}.\n\n"
        "00:00:16.000 --> 00:00:22.000\nMaya Chen: What will you do next, Ben?\n\n"
        "00:00:23.000 --> 00:00:31.000\nBen Ode: I will send the plan to my manager by Friday.\n\n"
        "00:00:32.000 --> 00:00:38.000\nCy Park: I'm still stuck with the budget, honestly.\n",
        encoding="utf-8",
    )
    return path


def _process(*args: str):
    return runner.invoke(app, ["process", *args], catch_exceptions=False)


def _configured_coach(platform) -> uuid.UUID | None:
    settings = platform.settings
    return platform.deps.coaches.coach_id_by_email(
        settings.default_organization_id, settings.coach_email
    )


def test_a_processed_session_is_the_configured_coachs_and_they_see_it(platform, tmp_path):
    # Given a transcript processed from the command line, no coach named
    result = _process(str(_transcript(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    # Then it is the session of the configured coach's account (made as `coach serve` does)
    coach_id = _configured_coach(platform)
    assert coach_id is not None
    assert output["coach_id"] == str(coach_id)
    assert "no_coach_account" not in [w["code"] for w in output["warnings"]]
    # And that coach sees it over the API
    org = platform.settings.default_organization_id
    status, body = request("GET", "/v1/sessions", claims_for(org, Role.COACH, coach_id=coach_id))
    assert status == 200, body
    assert output["session_id"] in [s["session_id"] for s in body["items"]]


def test_coach_email_names_whose_session_it_is_and_an_unknown_one_is_refused(platform, tmp_path):
    org = platform.settings.default_organization_id
    email = f"coach-{uuid.uuid4().hex[:8]}@example.com"
    added = runner.invoke(
        app,
        ["users", "add", email, "--name", "Jo Coach", "--role", "coach"],
        env={"COACH_NEW_USER_PASSWORD": "a long enough password"},
    )
    assert added.exit_code == 0, added.output
    path = _transcript(tmp_path)
    # When the coach is named by an email no account has: refused, as JSON, nothing made
    unknown = _process(str(path), "--json", "--coach-email", "nobody-here@example.com")
    assert unknown.exit_code == 1
    error = json.loads(unknown.stdout)["error"]
    assert error["code"] == "COACH_404" and "nobody-here@example.com" in error["message"]
    # When it is an account's email: the session is that coach's
    named = _process(str(path), "--json", "--coach-email", email)
    assert named.exit_code == 0, named.output
    coach_id = platform.deps.coaches.coach_id_by_email(org, email)
    assert json.loads(named.stdout)["coach_id"] == str(coach_id)


def test_sessions_assign_gives_a_session_to_its_coach_and_is_audited(platform, tmp_path):
    org = platform.settings.default_organization_id
    # Given a session of no coach (processed before any coach account existed)
    processed = _process(str(_transcript(tmp_path)), "--json")
    session_id = uuid.UUID(json.loads(processed.stdout)["session_id"])
    platform.deps.sessions.update_session(org, session_id, coach_id=None)
    coach_id = _configured_coach(platform)
    # When it is assigned to the configured coach
    assigned = runner.invoke(
        app,
        ["sessions", "assign", str(session_id), "--coach-email", platform.settings.coach_email],
    )
    # Then it is theirs, and the change is in the audit log (ids, never the email)
    assert assigned.exit_code == 0, assigned.output
    assert platform.deps.sessions.get_session(org, session_id).coach_id == coach_id
    entries = ports().audit_log.entries(org, resource_type="session", resource_id=str(session_id))
    assert [e.action for e in entries][:1] == ["assign"]
    assert entries[0].details["coach_id"] == str(coach_id)
    assert platform.settings.coach_email not in json.dumps(entries[0].details)
    # An unknown session is refused, as JSON with --json
    missing = runner.invoke(
        app,
        ["sessions", "assign", str(uuid.uuid4()), "--coach-email", "x@example.com", "--json"],
    )
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["error"]["code"] == "COACH_404"


def test_new_options_on_known_content_are_said_and_applied_with_reprocess(platform, tmp_path):
    org = platform.settings.default_organization_id
    path = _transcript(tmp_path)
    first = json.loads(_process(str(path), "--json", "--type", "group").stdout)
    assert first["session_date"] is None
    ben = next(p for p in first["participants"] if p["name"] == "Ben Ode")
    # Of no known date, "by Friday" counts from the day it was uploaded (issue 16)
    uploaded = platform.deps.sessions.get_session(org, uuid.UUID(first["session_id"])).created_at
    friday = uploaded.date() + dt.timedelta(days=(4 - uploaded.weekday()) % 7 or 7)
    action = ben["summary"]["action_items"][0]
    assert (action["due"], action["due_phrase"]) == (friday.isoformat(), "by Friday")
    # When the same content comes again with a date: said plainly, not applied
    again = _process(str(path), "--json", "--date", "2026-11-26")
    assert again.exit_code == 0, again.output
    output = json.loads(again.stdout)
    assert output["session_id"] == first["session_id"]
    assert output["duplicate_of"] == first["session_id"]
    assert output["session_date"] is None
    ignored = output["warnings"][0]
    assert ignored["code"] == "duplicate_options_ignored"
    assert "--date" in ignored["message"] and "--reprocess" in ignored["message"]
    # When --reprocess is added: the date is applied and the analysis runs again
    redone = _process(str(path), "--json", "--date", "2026-11-26", "--reprocess")
    assert redone.exit_code == 0, redone.output
    output = json.loads(redone.stdout)
    assert output["session_id"] == first["session_id"]
    assert output["session_date"] == "2026-11-26"
    assert output["session_type"] == "group"  # what was not given stays
    assert output["warnings"][0]["code"] == "reprocessed"
    ben = next(p for p in output["participants"] if p["name"] == "Ben Ode")
    assert ben["summary"]["action_items"][0]["due"] == "2026-11-27"
    session = platform.deps.sessions.get_session(org, uuid.UUID(first["session_id"]))
    assert str(session.session_date) == "2026-11-26"


def test_the_readable_report_and_the_json_say_the_same_things(platform, tmp_path):
    path = _transcript(tmp_path)
    human = _process(str(path), "--type", "individual")
    assert human.exit_code == 0, human.output
    text = human.stdout
    for header in ("Participants", "Name", "Role", "Speaking", "Engagement", "Overview"):
        assert header in text
    assert "Follow-up priority" in text
    assert "Ben Ode" in text and "Action items:" in text
    # a 1:1 of four speakers is worth a second look
    assert "warning:" in text and "4 speakers" in text
    assert "timing from" not in text
    # With --json: the same warnings and each client's reasons, and stdout is one object
    output = json.loads(_process(str(path), "--json").stdout)
    assert "type_mismatch" in [w["code"] for w in output["warnings"]]
    cy = next(p for p in output["participants"] if p["name"] == "Cy Park")
    assert cy["priority_reasons"]


def test_users_list_says_when_there_are_none(platform):
    org = uuid.uuid4()
    ports().organizations.ensure_organization(org, f"empty {org}")
    result = runner.invoke(app, ["users", "list", "--organization", str(org)])
    assert result.exit_code == 0, result.output
    assert "No users" in result.stdout
    as_json = runner.invoke(app, ["users", "list", "--organization", str(org), "--json"])
    assert json.loads(as_json.stdout) == []


def test_a_dry_run_says_the_cutoff_or_that_no_retention_is_set(platform):
    org = uuid.uuid4()
    ports().organizations.ensure_organization(org, f"forever {org}")
    ports().organizations.update_organization_settings(org, {"retention_days": None})
    forever = CoachContext(platform.settings.model_copy(update={"default_organization_id": org}))
    result = runner.invoke(app, ["retention", "purge", "--dry-run"], obj=forever)
    assert result.exit_code == 0, result.output
    assert "No retention is set for this organization" in result.stdout
    ports().organizations.update_organization_settings(org, {"retention_days": 30})
    keeping = CoachContext(platform.settings.model_copy(update={"default_organization_id": org}))
    result = runner.invoke(app, ["retention", "purge", "--dry-run"], obj=keeping)
    assert result.exit_code == 0, result.output
    assert "Cutoff for this organization: sessions received before" in result.stdout


def test_a_failed_run_with_json_is_one_error_object_naming_the_session(
    platform, tmp_path, monkeypatch
):
    from coaching.domain.errors import TranscriptRejected

    # Given a transcript the pipeline fails on at a later step (the input checks pass)
    def rejecting(event, context, deps=None):
        raise TranscriptRejected("call.vtt: the speakers could not be told apart.")

    monkeypatch.setattr("functions.parse_transcript.handler.lambda_handler", rejecting)
    # When it is processed for a script
    result = _process(str(_transcript(tmp_path)), "--json")
    # Then stdout is the API's error object, naming the failed session and step; exit 1
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "COACH_422"
    assert error["message"] == "call.vtt: the speakers could not be told apart."
    assert error["details"]["failed_step"] == "ParseTranscript"
    session = platform.deps.sessions.get_session(
        platform.settings.default_organization_id, uuid.UUID(error["details"]["session_id"])
    )
    assert session is not None and session.processing_status == "failed"


def test_reprocess_is_refused_once_the_coach_approved_a_summary(platform, tmp_path):
    org = platform.settings.default_organization_id
    path = _transcript(tmp_path)
    first = json.loads(_process(str(path), "--json", "--type", "group").stdout)
    coach_id = uuid.UUID(first["coach_id"])
    claims = claims_for(org, Role.COACH, coach_id=coach_id)
    status, listed = request("GET", f"/v1/sessions/{first['session_id']}/summaries", claims)
    assert status == 200, listed
    # Given the coach approved one of its summaries
    summary = listed["items"][0]
    status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", claims)
    assert status == 200, body
    # When the same content is processed again with --reprocess: refused, nothing replaced
    refused = _process(str(path), "--json", "--date", "2026-11-26", "--reprocess")
    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "COACH_409" and "approved" in error["message"]
    status, after = request("GET", f"/v1/summaries/{summary['id']}", claims)
    assert status == 200 and after["status"] == "approved"


_DATED_TURNS = (
    ("Maya Chen", "Welcome back. What will you do next, Ben?"),
    ("Ben Ode", "I will send the plan to my manager by Friday."),
    ("Cy Park", "I'm still stuck with the budget, honestly."),
)


def _fireflies_dated(tmp_path: Path, day: str) -> Path:
    """A Fireflies API transcript held on ``day`` (its `dateString`), as the API saves it."""
    tag = uuid.uuid4().hex[:8]  # new content each time
    sentences = [
        {"index": i, "speaker_name": who, "text": text, "start_time": 5 * i, "end_time": 5 * i + 4}
        for i, (who, text) in enumerate(_DATED_TURNS)
    ]
    document = {"id": tag, "dateString": f"{day}T10:00:00.000Z", "sentences": sentences}
    path = tmp_path / f"fireflies-{tag}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _teams_dated(tmp_path: Path, day: str) -> Path:
    """A Teams .docx whose line under the title is ``day`` ('March 3, 2025, 10:00AM')."""
    import docx

    document = docx.Document()
    document.add_paragraph(f"Weekly coaching {uuid.uuid4().hex[:8]}")
    document.add_paragraph(f"{dt.date.fromisoformat(day):%B} {int(day[-2:])}, {day[:4]}, 10:00AM")
    for number, (who, text) in enumerate(_DATED_TURNS):
        document.add_paragraph(f"{who}   0:{number * 5:02d}")
        document.add_paragraph(text)
    path = tmp_path / "teams.docx"
    document.save(path)
    return path


@pytest.mark.parametrize("write", [_fireflies_dated, _teams_dated], ids=["fireflies", "docx"])
def test_the_files_own_date_dates_the_session_and_its_due_dates(platform, tmp_path, write):
    # Given a transcript whose file says it was held on Monday 3 March 2025
    path = write(tmp_path, "2025-03-03")
    # When it is processed with no --date
    result = _process(str(path), "--json", "--type", "group")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    # Then the session is of that day, and "by Friday" is that week's Friday, not this one's
    assert output["session_date"] == "2025-03-03"
    ben = next(p for p in output["participants"] if p["name"] == "Ben Ode")
    action = ben["summary"]["action_items"][0]
    assert (action["due"], action["due_phrase"]) == ("2025-03-07", "by Friday")


def test_a_given_date_wins_over_the_files_own(platform, tmp_path):
    path = _fireflies_dated(tmp_path, "2025-03-03")
    output = json.loads(_process(str(path), "--json", "--date", "2025-03-10").stdout)
    assert output["session_date"] == "2025-03-10"
    ben = next(p for p in output["participants"] if p["name"] == "Ben Ode")
    assert ben["summary"]["action_items"][0]["due"] == "2025-03-14"
