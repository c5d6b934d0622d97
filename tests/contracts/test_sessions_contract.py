"""Sessions: one live session per content, listing and paging, retention's view, deletion."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.domain.errors import DuplicateContent, NotFound
from coaching.domain.session import SessionBusy, SessionFilter, SessionPosition
from tests.contracts.conftest import analysed_session, index_passages, new_session

DAY = dt.timedelta(days=1)


def test_a_created_session_reads_back_received(backend, org):
    coach = backend.add_coach(org, "maya@example.com")
    session = new_session(backend, org, coach_id=coach, session_type="group")
    assert session.processing_status == "received"
    assert (session.coach_id, session.session_type) == (coach, "group")
    assert session.created_at is not None
    assert backend.ports["sessions"].count_sessions(org) == 1


def test_the_same_content_makes_one_live_session(backend, org):
    sessions = backend.ports["sessions"]
    first = new_session(backend, org, content="same bytes")
    with pytest.raises(DuplicateContent) as clash:
        new_session(backend, org, content="same bytes")
    assert clash.value.session_id == first.id
    sessions.create_session(org, first)  # the same id again: nothing happens
    assert sessions.count_sessions(org) == 1
    assert sessions.find_live_by_hash(org, first.content_sha256).id == first.id
    assert sessions.find_failed_by_hash(org, first.content_sha256) is None
    # Once it failed, the content may come again
    sessions.update_session(org, first.id, processing_status="failed")
    second = new_session(backend, org, content="same bytes")
    assert sessions.find_live_by_hash(org, first.content_sha256).id == second.id
    assert sessions.find_failed_by_hash(org, first.content_sha256).id == first.id


def test_the_latest_failure_is_found_first(backend, org):
    sessions = backend.ports["sessions"]
    older = new_session(backend, org, content="retried")
    sessions.update_session(org, older.id, processing_status="failed")
    newer = new_session(backend, org, content="retried")
    sessions.update_session(org, newer.id, processing_status="failed")
    assert sessions.find_failed_by_hash(org, older.content_sha256).id == newer.id


def test_updates_change_only_updatable_fields(backend, org):
    sessions = backend.ports["sessions"]
    session = new_session(backend, org)
    sessions.update_session(
        org,
        session.id,
        processing_status="completed",
        participant_count=3,
        supervision={"questions": 4},
    )
    after = sessions.get_session(org, session.id)
    assert (after.processing_status, after.participant_count) == ("completed", 3)
    assert after.supervision == {"questions": 4}
    assert after.updated_at >= session.updated_at
    with pytest.raises(ValueError, match="not updatable"):
        sessions.update_session(org, session.id, content_sha256="0" * 64)


def test_listing_is_newest_first_filtered_and_paged(backend, org):
    sessions = backend.ports["sessions"]
    a, b = backend.add_coach(org, "a@example.com"), backend.add_coach(org, "b@example.com")
    made = [new_session(backend, org, coach_id=coach) for coach in (a, b, a, None)]
    newest_first = [s.id for s in reversed(made)]
    assert [s.id for s in sessions.list_sessions(org)] == newest_first
    # Only some coaches' sessions; none at all for an empty set
    only_a = sessions.list_sessions(org, where=SessionFilter(coach_ids=frozenset({a})))
    assert [s.id for s in only_a] == [made[2].id, made[0].id]
    assert sessions.list_sessions(org, where=SessionFilter(coach_ids=frozenset())) == []
    # By status and type
    sessions.update_session(org, made[1].id, processing_status="completed", session_type="group")
    completed = sessions.list_sessions(org, where=SessionFilter(status="completed"))
    assert [s.id for s in completed] == [made[1].id]
    grouped = sessions.list_sessions(org, where=SessionFilter(session_type="group"))
    assert [s.id for s in grouped] == [made[1].id]
    # A page of two, then the page after it
    page = sessions.list_sessions(org, 2)
    position = SessionPosition(created_at=page[-1].created_at, id=page[-1].id)
    rest = sessions.list_sessions(org, 2, after=position)
    assert [s.id for s in page + rest] == newest_first


def test_listing_by_date_uses_the_session_date_else_the_day_received(backend, org):
    sessions = backend.ports["sessions"]
    dated = new_session(backend, org, session_date=dt.date(2025, 3, 1))
    undated = new_session(backend, org)
    backend.received_at(org, undated.id, dt.datetime(2025, 4, 2, 12, tzinfo=dt.UTC))
    march = SessionFilter(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31))
    april = SessionFilter(date_from=dt.date(2025, 4, 1))
    assert [s.id for s in sessions.list_sessions(org, where=march)] == [dated.id]
    assert [s.id for s in sessions.list_sessions(org, where=april)] == [undated.id]


def test_supervision_history_is_the_latest_completed_oldest_first(backend, org):
    sessions = backend.ports["sessions"]
    coach = backend.add_coach(org, "maya@example.com")
    made = []
    for day in (3, 1, 2):
        session = new_session(backend, org, coach_id=coach, session_date=dt.date(2025, 5, day))
        sessions.update_session(
            org, session.id, processing_status="completed", supervision={"day": day}
        )
        made.append(session)
    new_session(backend, org)  # not completed: not in the history
    history = sessions.supervision_history(org, limit=2)
    assert [row["supervision"] for row in history] == [{"day": 2}, {"day": 3}]
    assert set(history[0]) == {
        "id",
        "source_name",
        "session_date",
        "created_at",
        "coach_name",
        "supervision",
    }
    assert sessions.supervision_history(org, coach_ids=frozenset({uuid.uuid4()})) == []


def test_retention_sees_sessions_received_before_the_cutoff_and_not_running(backend, org):
    sessions = backend.ports["sessions"]
    now = dt.datetime.now(dt.UTC)
    old, older, busy, young = (new_session(backend, org) for _ in range(4))
    for session, days in ((old, 40), (older, 50), (busy, 60), (young, 10)):
        backend.received_at(org, session.id, now - days * DAY)
    for session in (old, older, young):
        sessions.update_session(org, session.id, processing_status="completed")
    due = sessions.sessions_received_before(org, now - 30 * DAY)
    assert [s.id for s in due] == [older.id, old.id]


def test_a_session_knows_the_clients_linked_to_it(backend, org):
    session, client_ids = analysed_session(backend, org)
    assert backend.ports["sessions"].clients_of_session(org, session.id) == sorted(
        client_ids.values()
    )


def test_deleting_a_session_removes_everything_stored_about_it(backend, org):
    ports = backend.ports
    session, _ = analysed_session(backend, org)
    assert index_passages(backend, org, session) == 3  # one transcript passage, two wins
    ports["step_ledger"].record_step(org, session.id, "ParseTranscript", "", {})
    ports["notifications"].record_notification(org, session.id, "review_ready", "m@x.io", "m1")
    ports["sessions"].update_session(org, session.id, processing_status="completed")

    removed = ports["sessions"].delete_session(org, session.id)

    assert removed == {
        "search_passages": 3,
        "notifications": 1,
        "follow_ups": 0,
        "summaries": 2,
        "client_sessions": 2,
        "session_participants": 3,
        "session_turns": 3,
        "step_runs": 1,
        "executions": 0,
        "sessions": 1,
        "clients": 2,
    }
    assert ports["sessions"].get_session(org, session.id) is None
    assert ports["transcripts"].load_transcript(org, session.id).turns == []
    assert ports["step_ledger"].completed_step(org, session.id, "ParseTranscript") is None
    assert backend.clients(org) == {}
    with pytest.raises(NotFound):
        ports["sessions"].delete_session(org, session.id)


def test_a_session_a_run_may_still_write_to_is_not_deleted(backend, org):
    sessions = backend.ports["sessions"]
    processing = new_session(backend, org)
    sessions.update_session(org, processing.id, processing_status="processing")
    with pytest.raises(SessionBusy):
        sessions.delete_session(org, processing.id)
    # A failed session whose redrive is running is busy too
    redriven = new_session(backend, org)
    sessions.update_session(org, redriven.id, processing_status="failed")
    backend.start_run(org, redriven.id)
    with pytest.raises(SessionBusy):
        sessions.delete_session(org, redriven.id)
    assert sessions.count_sessions(org) == 2


def test_another_organization_sees_no_session(backend, org):
    sessions = backend.ports["sessions"]
    session = new_session(backend, org)
    other = backend.new_org()
    assert sessions.get_session(other, session.id) is None
    assert sessions.list_sessions(other) == []
    assert sessions.count_sessions(other) == 0
    assert sessions.find_live_by_hash(other, session.content_sha256) is None
    with pytest.raises(NotFound):
        sessions.delete_session(other, session.id)
    sessions.update_session(other, session.id, processing_status="failed")
    assert sessions.get_session(org, session.id).processing_status == "received"
