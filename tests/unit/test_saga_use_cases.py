"""The session pipeline's use cases, step by step, on the shared fakes: no PostgreSQL.

Elena Park coaches Priya Raman and Tomas Berg (tests/fixtures/transcripts). Each test runs
the steps before the one it is about, as the state machine would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path

import pytest

from coaching.analysis.offline import MISSED_WEIGHT, priority
from coaching.domain.errors import (
    NotFound,
    NotRerunnable,
    TranscriptIntegrityError,
    TranscriptRejected,
)
from coaching.domain.session import SessionBusy
from coaching.handlers import run_once
from coaching.usecases.analyze_client import analyze_client
from coaching.usecases.compensate import compensate
from coaching.usecases.delete_session import delete_session
from coaching.usecases.index_session import index_session
from coaching.usecases.notify_coach import notify_coach
from coaching.usecases.parse_participants import parse_participants
from coaching.usecases.pipeline_input import ClientStepInput
from coaching.usecases.rerun import prepare_rerun
from coaching.usecases.validate_and_store import validate_and_store
from tests.fakes import FakeMailer, FakeSockets, MemoryObjects
from tests.fakes.memory import FollowUp
from tests.unit.saga_setup import (
    COACH,
    COACH_EMAIL,
    KEY,
    ORG,
    SESSION,
    deps,
    failed,
    notices,
    sent_to,
    status,
    step,
)

WEEK_1 = Path(__file__).parents[1] / "fixtures" / "transcripts" / "client-progress-week1.vtt"
CLIENTS = ["Priya Raman", "Tomas Berg"]


@pytest.fixture
def world():
    """The week-1 transcript stored, no session row yet (as an S3 drop), the organization's
    coach configured as the drop folder's."""
    objects = MemoryObjects({KEY: WEEK_1.read_bytes()})
    return deps(
        objects,
        has_session=False,
        coach_email=COACH_EMAIL,
        mailer=FakeMailer(),
        sockets=FakeSockets(),
    )


def client_step(name: str) -> ClientStepInput:
    return ClientStepInput(organization_id=ORG, session_id=SESSION, client_name=name)


def through(world, last: str):
    """Runs the steps up to and including ``last``."""
    steps = {
        "validate": lambda: validate_and_store(world, step()),
        "parse": lambda: parse_participants(world, step()),
        "analyze": lambda: [analyze_client(world, client_step(c)) for c in CLIENTS],
        "index": lambda: index_session(world, step()),
        "notify": lambda: notify_coach(world, step()),
    }
    for name, run in steps.items():
        result = run()
        if name == last:
            return result
    raise AssertionError(last)


def test_validation_records_the_session_for_its_coach_and_stores_the_turns(world):
    result = through(world, "validate")
    assert result == {"format": "vtt", "turns": 9, "timing": "cues"}
    session = world.sessions.get_session(ORG, SESSION)
    assert session.coach_id == COACH  # the configured coach's record
    assert session.content_sha256 == hashlib.sha256(WEEK_1.read_bytes()).hexdigest()
    assert (session.processing_status, session.format, session.timing) == (
        "processing",
        "vtt",
        "cues",
    )
    assert session.duration_seconds == pytest.approx(99.0)
    assert len(world.transcripts.load_transcript(ORG, SESSION).turns) == 9


def test_validation_rejects_a_transcript_without_speaker_names(world):
    world.objects.put(KEY, b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n")
    with pytest.raises(TranscriptRejected, match="no speaker names"):
        validate_and_store(world, step())
    assert status(world) == "processing"  # compensation marks it failed
    assert world.transcripts.load_transcript(ORG, SESSION).turns == []


def test_validation_refuses_a_file_changed_since_it_was_received(world):
    through(world, "validate")
    world.objects.put(KEY, WEEK_1.read_bytes() + b"\n")
    with pytest.raises(TranscriptIntegrityError):
        validate_and_store(world, step())


def test_participants_are_told_apart_and_clients_become_pending_records(world):
    through(world, "validate")
    result = parse_participants(world, step())
    assert result["coach"] == "Elena Park"
    assert sorted(result["clients"]) == sorted(CLIENTS)
    speakers = world.participants.load_speakers(ORG, SESSION)
    assert [s.name for s in speakers if s.role == "client"] == result["clients"]
    assert world.sessions.clients_of_session(ORG, SESSION)  # linked to client records
    labels, _ = world.transcripts.load_turn_annotations(ORG, SESSION)
    assert len(labels) == 9
    session = world.sessions.get_session(ORG, SESSION)
    assert (session.coach_name, session.participant_count) == ("Elena Park", 3)
    assert session.supervision is not None


def test_each_client_gets_an_analysis(world):
    results = through(world, "analyze")
    assert [r["client"] for r in results] == CLIENTS
    assert sorted(world.results.load_client_analyses(ORG, SESSION)) == sorted(CLIENTS)


def _uploaded_on(world, day: dt.date, session_date: dt.date | None) -> None:
    session = world.sessions.data.sessions[(ORG, SESSION)]
    world.sessions.data.sessions[(ORG, SESSION)] = session.model_copy(
        update={
            "created_at": dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
            "session_date": session_date,
        }
    )


def _priyas_action(world):
    analysis = world.results.load_client_analyses(ORG, SESSION)["Priya Raman"]
    return next(a for a in analysis.summary.action_items if "by Friday" in a.text)


def test_due_dates_count_from_the_session_date_when_it_is_known(world):
    # Given a session held on Monday 30 November and uploaded a week later
    through(world, "parse")
    _uploaded_on(world, dt.date(2026, 12, 7), session_date=dt.date(2026, 11, 30))
    # When Priya ("I will send the budget proposal ... by Friday.") is analysed
    analyze_client(world, client_step("Priya Raman"))
    # Then "by Friday" is the Friday after the session, not after the upload
    action = _priyas_action(world)
    assert (action.due, action.due_phrase) == ("2026-12-04", "by Friday")


def test_due_dates_count_from_the_upload_day_when_the_session_date_is_unknown(world):
    # Given a session of no known date, uploaded on Monday 30 November
    through(world, "parse")
    _uploaded_on(world, dt.date(2026, 11, 30), session_date=None)
    # When Priya is analysed
    analyze_client(world, client_step("Priya Raman"))
    # Then "by Friday" is the Friday after the upload (it was null before issue 16)
    action = _priyas_action(world)
    assert (action.due, action.due_phrase) == ("2026-12-04", "by Friday")


def test_analysing_someone_who_is_not_a_client_of_the_session_fails(world):
    through(world, "parse")
    with pytest.raises(NotFound):
        analyze_client(world, client_step("Elena Park"))


def test_indexing_writes_the_overview_and_the_session_passages(world):
    result = through(world, "index")
    session = world.sessions.get_session(ORG, SESSION)
    assert session.session_summary
    passages = [s.passage for s in world.search.store.data.search_passages[(ORG, SESSION)].values()]
    assert result == {"documents": len(passages)}
    assert {p.kind for p in passages} >= {"passage", "overview"}
    assert {p.client_name for p in passages} == {*CLIENTS, None}


def test_the_coach_is_told_and_the_session_completed(world):
    result = through(world, "notify")
    assert status(world) == "completed"
    (email,) = world.mailer.sent
    assert email["to"] == COACH_EMAIL
    assert "Priya Raman, Tomas Berg" in email["body"]
    assert notices(world) == [("review_ready", sent_to(COACH_EMAIL), result["message_id"])]
    assert world.sockets.pushed == [
        (ORG, COACH, {"type": "session_ready", "session_id": str(SESSION), "clients": 2})
    ]


def test_compensation_undoes_the_results_and_keeps_the_turns(world):
    through(world, "index")
    world.step_ledger.record_step(ORG, SESSION, "ParseTranscript", "", {"clients": CLIENTS})
    world.step_ledger.record_step(ORG, SESSION, "ValidateAndStore", "", {"turns": 9})

    result = compensate(world, failed(KEY, failed_step="NotifyCoach"))

    assert result["removed"]["clients"] == 2  # the pending records only this session made
    assert world.results.load_client_analyses(ORG, SESSION) == {}
    assert world.participants.load_speakers(ORG, SESSION) == []
    assert world.search.store.data.search_passages.get((ORG, SESSION), {}) == {}
    assert world.sessions.clients_of_session(ORG, SESSION) == []
    session = world.sessions.get_session(ORG, SESSION)
    assert (session.processing_status, session.failed_step) == ("failed", "NotifyCoach")
    assert session.session_summary is None and session.supervision is None
    assert world.step_ledger.completed_step(ORG, SESSION, "ParseTranscript") is None
    assert world.step_ledger.completed_step(ORG, SESSION, "ValidateAndStore") == {"turns": 9}
    assert len(world.transcripts.load_transcript(ORG, SESSION).turns) == 9
    assert notices(world) == [("failure", sent_to(COACH_EMAIL), "message-1")]


def test_a_fresh_rerun_starts_from_the_stored_turns(world):
    through(world, "analyze")
    compensate(world, failed(KEY, failed_step="IndexSession"))
    prepare_rerun(world, ORG, SESSION, fresh=True)
    assert status(world) == "processing"
    through(world, "notify")
    assert status(world) == "completed"
    assert sorted(world.results.load_client_analyses(ORG, SESSION)) == sorted(CLIENTS)


@pytest.mark.parametrize("follow_up_status", ["sending", "sent"])
def test_a_fresh_rerun_never_discards_a_follow_up_on_its_way_or_sent(world, follow_up_status):
    # Given a processed session one of whose clients' follow-ups went out
    through(world, "notify")
    client_id = world.sessions.clients_of_session(ORG, SESSION)[0]
    world.results.data.follow_ups.setdefault(ORG, []).append(
        FollowUp(SESSION, client_id, follow_up_status)
    )
    # When it would be analysed from scratch: refused, nothing discarded
    with pytest.raises(NotRerunnable, match="1 follow-up"):
        prepare_rerun(world, ORG, SESSION, fresh=True)
    assert sorted(world.results.load_client_analyses(ORG, SESSION)) == sorted(CLIENTS)
    assert status(world) == "completed"
    # A redrive (not fresh) keeps the results and is not refused
    prepare_rerun(world, ORG, SESSION, fresh=False)


def test_deleting_a_session_removes_its_file_and_everything_stored(world):
    through(world, "notify")
    clients = world.sessions.clients_of_session(ORG, SESSION)
    deletion = delete_session(world, ORG, SESSION)
    assert deletion.object_keys == [KEY]
    assert sorted(deletion.client_ids) == sorted(clients)
    assert deletion.rows["sessions"] == 1 and deletion.rows["clients"] == 2
    assert world.sessions.get_session(ORG, SESSION) is None
    assert not world.objects.exists(KEY)
    with pytest.raises(NotFound):
        delete_session(world, ORG, SESSION)


def test_a_session_being_processed_is_not_deleted(world):
    through(world, "parse")
    with pytest.raises(SessionBusy):
        delete_session(world, ORG, SESSION)
    assert world.objects.exists(KEY)


def test_a_step_that_already_finished_returns_its_recorded_output(world):
    calls = []

    def use_case(deps, request):
        calls.append(request)
        return {"run": len(calls)}

    first = run_once(world, "NotifyCoach", step(), use_case)
    again = run_once(world, "NotifyCoach", step(), use_case)
    assert first == again == {"run": 1}
    assert len(calls) == 1


WEEK_2 = WEEK_1.with_name("client-progress-week2.vtt")


def test_a_commitment_of_last_time_said_not_done_raises_the_priority_with_its_reason(world):
    # Given week 1 (Priya: send the budget proposal, book a mentoring session) analysed
    through(world, "analyze")
    # When week 2, where she sent the proposal but did not book the mentoring, is analysed
    week_2 = uuid.UUID(int=SESSION.int + 2)
    key = f"transcripts/{ORG}/{week_2}/week-2.vtt"
    world.objects.put(key, WEEK_2.read_bytes())
    second = step(key).model_copy(update={"session_id": week_2})
    validate_and_store(world, second)
    parse_participants(world, second)
    priya = ClientStepInput(organization_id=ORG, session_id=week_2, client_name="Priya Raman")
    analyze_client(world, priya)
    analysis = world.results.load_client_analyses(ORG, week_2)["Priya Raman"]
    # Then her priority gives the one of two not done as a reason, and counts it
    reasons = {r.code: r.label for r in analysis.priority_reasons}
    assert reasons["missed_commitments"] == (
        "said they did not do 1 of the 2 things they committed to last time"
    )
    before, _ = priority(
        analysis.engagement_level,
        analysis.summary,
        analysis.breakthrough_detected,
        falling_sentiment="falling_sentiment" in reasons,
        sensitive="sensitive_topic" in reasons,
    )
    assert analysis.priority_score == min(1.0, round(before + MISSED_WEIGHT / 2, 2))
