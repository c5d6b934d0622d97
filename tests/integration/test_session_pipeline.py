"""The session pipeline end to end: the real ASL file, bound handlers, embedded PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from psycopg import sql

from coaching.domain.errors import TransientError
from coaching.usecases.session_results import session_results
from coaching.usecases.submit_transcript import process_transcript

pytestmark = pytest.mark.integration

SAMPLE = (
    Path(__file__).resolve().parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)


def _process(platform, org, data: bytes, name: str = "session.vtt", **options):
    submission, execution = process_transcript(
        platform.deps, platform.workflow, org, data, name, **options
    )
    return submission, execution, session_results(platform.deps, org, submission.session_id)


def test_sample_session_produces_results_for_every_client(platform, organization):
    # Given the bundled group workshop
    data = SAMPLE.read_bytes()
    # When it runs through the pipeline
    _, execution, result = _process(
        platform, organization, data, session_date=dt.date(2026, 11, 20)
    )
    # Then the run succeeded and each participant has results
    assert execution.status == "SUCCEEDED"
    assert result["status"] == "completed"
    roles = {p["name"]: p["role"] for p in result["participants"]}
    assert roles == {
        "Maya Chen": "coach",
        "Jordan Reyes": "client",
        "Priya Nair": "client",
        "Alex Okafor": "client",
    }
    assert sum(p["speaking_share"] for p in result["participants"]) == pytest.approx(1.0)
    jordan = next(p for p in result["participants"] if p["name"] == "Jordan Reyes")
    assert jordan["breakthrough_detected"] is True
    assert any(a["due"] == "2026-11-27" for a in jordan["summary"]["action_items"])


def test_same_content_twice_makes_one_session(platform, organization):
    # Given a transcript processed once
    first, _, _ = _process(platform, organization, SAMPLE.read_bytes())
    # When the same bytes arrive again under another name
    second, execution, _ = _process(platform, organization, SAMPLE.read_bytes(), "copy.vtt")
    # Then the first session is returned and no second run starts
    assert second.duplicate_of == first.session_id
    assert execution is None
    assert platform.deps.sessions.count_sessions(organization) == 1


def test_an_organization_never_sees_another_ones_session(platform, organization):
    # Given a session processed in one organization
    submission, _, _ = _process(platform, organization, SAMPLE.read_bytes())
    # When another organization asks for it
    import uuid

    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, "other")
    # Then it does not exist there
    assert platform.deps.sessions.get_session(other, submission.session_id) is None
    assert platform.deps.sessions.list_sessions(other) == []


def test_a_rejected_transcript_fails_with_its_reason_and_is_kept(platform, organization):
    # Given a file that is not a transcript
    data = b"\x00\x01\x02 binary \xff\xfe junk"
    # When it is processed
    submission, execution, result = _process(platform, organization, data, "recording.vtt")
    # Then the run failed at validation, the reason says what to do, the file is kept
    assert execution.status == "FAILED"
    assert result["status"] == "failed"
    assert result["failed_step"] == "ValidateAndStore"
    assert "recording.vtt" in result["failure_reason"]
    session = platform.deps.sessions.get_session(organization, submission.session_id)
    assert platform.deps.objects.get(session.transcript_key) == data


STEPS = ["ValidateAndStore", "ParseTranscript", "AnalyzeClient", "IndexSession", "NotifyCoach"]
FAILED_AT = {"AnalyzeClient": "AnalyzeParticipants"}


@pytest.mark.parametrize("step", STEPS)
def test_a_failing_step_is_compensated(platform, organization, failing_step, step):
    # Given a step whose handler breaks
    failing_step(step, RuntimeError("disk on fire"))
    data = SAMPLE.read_bytes() + f"\n\nNOTE {step}\n".encode()  # distinct content per case
    # When a session runs through the pipeline
    submission, execution, result = _process(platform, organization, data)
    # Then compensation ran: failed with the step and a reason, nothing derived left behind
    assert execution.status == "FAILED"
    assert result["status"] == "failed"
    assert result["failed_step"] == FAILED_AT.get(step, step)
    assert "internal error" in result["failure_reason"]
    assert "disk on fire" not in result["failure_reason"]
    assert result["participants"] == []
    assert platform.deps.results.load_client_analyses(organization, submission.session_id) == {}
    assert _count(platform, "search_passages", organization) == 0
    assert _count(platform, "summaries", organization) == 0
    assert _count(platform, "client_sessions", organization) == 0
    # ... the original transcript is kept, and the coach was told
    session = platform.deps.sessions.get_session(organization, submission.session_id)
    assert platform.deps.objects.get(session.transcript_key) == data
    assert _notifications(platform, organization) == ["failure"]


def test_a_transient_error_is_retried_and_the_run_succeeds(platform, organization, failing_step):
    # Given a step that fails once with a transient error, then works
    import importlib

    real = importlib.import_module("functions.index_session.handler").lambda_handler
    calls = []

    def flaky(event, context):
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("database connection lost")
        return real(event, context, deps=platform.deps)

    failing_step("IndexSession", RuntimeError("unused"))
    platform.engine.set_handler("IndexSession", flaky)
    # When a session runs
    _, execution, result = _process(platform, organization, SAMPLE.read_bytes())
    # Then the step ran twice and the session completed
    assert len(calls) == 2
    assert execution.status == "SUCCEEDED"
    assert result["status"] == "completed"


def test_finished_runs_are_recorded_with_their_history(platform, organization):
    # Given a processed session
    submission, _, _ = _process(platform, organization, SAMPLE.read_bytes())
    # When support looks up its execution
    from coaching.adapters.postgres import PostgresExecutionRecords
    from tests.local_ports import ports

    record = PostgresExecutionRecords(ports().database).get(organization, submission.execution_name)
    # Then its status and every state transition are there
    assert record["status"] == "SUCCEEDED"
    types = [e["event_type"] for e in record["events"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "MapStateEntered" in types


def _count(platform, table: str, org) -> int:
    from tests.local_ports import ports

    with ports().database.transaction() as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) AS n FROM {} WHERE organization_id = %s").format(
                sql.Identifier(table)
            ),
            (org,),
        ).fetchone()
    return row["n"]


def _notifications(platform, org) -> list[str]:
    from tests.local_ports import ports

    with ports().database.transaction() as conn:
        rows = conn.execute(
            "SELECT kind FROM notifications WHERE organization_id = %s ORDER BY id", (org,)
        ).fetchall()
    return [r["kind"] for r in rows]


def test_speakers_map_to_existing_client_records_and_new_ones_are_pending(platform, organization):
    # Given Jordan already on record, under a title and another spacing
    from tests.local_ports import ports

    with ports().database.transaction() as conn:
        conn.execute(
            "INSERT INTO clients (organization_id, name, status) VALUES (%s, %s, 'active')",
            (organization, "Dr.  Jordan Reyes"),
        )
    # When the workshop is processed
    _process(platform, organization, SAMPLE.read_bytes())
    # Then Jordan's results attach to that record, and the others are new pending clients
    with ports().database.transaction() as conn:
        rows = conn.execute(
            "SELECT c.name, c.status, count(cs.id) AS sessions FROM clients c"
            " LEFT JOIN client_sessions cs ON cs.client_id = c.id"
            " WHERE c.organization_id = %s GROUP BY c.name, c.status ORDER BY c.name",
            (organization,),
        ).fetchall()
    assert [(r["name"], r["status"], r["sessions"]) for r in rows] == [
        ("Alex Okafor", "pending", 1),
        ("Dr.  Jordan Reyes", "active", 1),
        ("Priya Nair", "pending", 1),
    ]


def test_compensation_removes_the_pending_clients_the_run_created(
    platform, organization, failing_step
):
    # Given analysis breaks after participants were mapped to new client records
    failing_step("AnalyzeClient", RuntimeError("boom"))
    # When the run fails
    _process(platform, organization, SAMPLE.read_bytes())
    # Then no client record is left behind
    assert _count(platform, "clients", organization) == 0
    assert _count(platform, "session_participants", organization) == 0


def test_supervision_metrics_are_kept_per_session_and_over_time(platform, organization):
    # Given two sessions
    _process(platform, organization, SAMPLE.read_bytes(), session_date=dt.date(2026, 11, 1))
    later = SAMPLE.read_bytes().replace(b"Great.", b"Great, thank you.")
    _process(platform, organization, later, session_date=dt.date(2026, 11, 15))
    # When the coach's supervision history is read
    from coaching.usecases.supervision_history import supervision_history

    history = supervision_history(platform.deps, organization)
    # Then each session has its metrics, in date order, with a trend
    assert [s["session_date"] for s in history["sessions"]] == ["2026-11-01", "2026-11-15"]
    first = history["sessions"][0]
    assert first["coach"] == "Maya Chen" and first["questions"] >= 4
    assert 0 < first["coach_talk_ratio"] < 1
    assert set(history["trend"]) >= {"coach_talk_ratio", "question_rate"}


def test_sensitive_turns_are_flagged_and_items_resting_on_them_marked(platform, organization):
    # Given a client who mentions their medication
    data = (
        b"Coach: How did the week go?\n"
        b"Ann Lee: I managed to finish the plan, even with my new medication making me tired.\n"
        b"Coach: What will you do next?\n"
        b"Ann Lee: I will share the plan with my manager on Monday.\n"
    )
    _, _, result = _process(platform, organization, data, "checkin.txt")
    # Then the turn is flagged, shown, and the win resting on it is marked sensitive
    assert result["sensitive"] == [{"turn": 1, "speaker": "Ann Lee", "categories": ["medication"]}]
    ann = next(p for p in result["participants"] if p["name"] == "Ann Lee")
    assert ann["summary"]["wins"][0]["sensitive"] is True
    assert ann["summary"]["action_items"][0]["sensitive"] is False


def test_the_same_file_after_a_failure_retries_that_session(platform, organization, failing_step):
    # Given a session that failed at analysis
    failing_step("AnalyzeClient", RuntimeError("model down"))
    first, execution, _ = _process(platform, organization, SAMPLE.read_bytes(), "w.vtt")
    assert execution.status == "FAILED"
    # When the step works again and the coach sends the same file
    from local_runtime.pipeline import step_handler

    platform.engine.set_handler("AnalyzeClient", step_handler("AnalyzeClient", platform.deps))
    second, execution, result = _process(platform, organization, SAMPLE.read_bytes(), "w.vtt")
    # Then the same session runs again, under a new linked run name, and completes
    assert second.session_id == first.session_id
    assert second.execution_name.startswith(f"{first.execution_name}-resubmit-")
    assert execution.status == "SUCCEEDED" and result["status"] == "completed"
    assert platform.deps.sessions.count_sessions(organization) == 1
