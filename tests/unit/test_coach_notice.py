"""Notices go to the session's own coach: never to a configured address, and to nobody when
the session has no coach (that is recorded, and logged without any address)."""

from __future__ import annotations

import logging

from coaching.usecases.compensate import compensate
from coaching.usecases.notify_coach import notify_coach
from coaching.usecases.pipeline_input import PipelineInput
from tests.unit.test_failed_prefix import (
    COACH_EMAIL,
    ORG,
    SESSION,
    FakeMailer,
    FakeStore,
    MemoryObjects,
    deps,
    failed,
)

CONFIGURED = "coach@example.com"  # deps()'s coach_email: the drop folder's coach only
STEP = PipelineInput(
    organization_id=ORG, session_id=SESSION, transcript_key="k", source_name="a.vtt"
)


class Store(FakeStore):
    def load_client_analyses(self, org, session_id):
        return {"Jordan Reyes": {}}

    def update_session(self, org, session_id, **changes):
        self.calls.append("update_session")


def test_review_ready_goes_to_the_sessions_own_coach():
    mailer, store = FakeMailer(), Store()
    notify_coach(deps(MemoryObjects(), store=store, mailer=mailer), STEP)
    assert [m["to"] for m in mailer.sent] == [COACH_EMAIL]
    assert store.notifications == [("review_ready", COACH_EMAIL, "message-1")]


def test_a_session_of_no_coach_sends_no_email_and_records_that(caplog):
    mailer, store = FakeMailer(), Store(coach_id=None)
    with caplog.at_level(logging.INFO):
        result = notify_coach(deps(MemoryObjects(), store=store, mailer=mailer), STEP)
    assert mailer.sent == []
    assert store.notifications == [("review_ready", None, None)]
    assert result == {"message_id": None}
    assert "no review_ready email sent" in caplog.text
    assert "@" not in caplog.text  # no address in the log, not even the configured one
    # The session is completed all the same
    assert "update_session" in store.calls


def test_the_failure_notice_goes_to_the_sessions_own_coach():
    mailer, store = FakeMailer(), FakeStore()
    key = f"transcripts/{ORG}/{SESSION}/a.vtt"
    compensate(deps(MemoryObjects({key: b"x"}), store=store, mailer=mailer), failed(key))
    assert [m["to"] for m in mailer.sent] == [COACH_EMAIL]
    assert store.notifications == [("failure", COACH_EMAIL, "message-1")]


def test_a_failed_session_of_no_coach_sends_no_email():
    mailer, store = FakeMailer(), FakeStore(coach_id=None)
    key = f"transcripts/{ORG}/{SESSION}/a.vtt"
    compensate(deps(MemoryObjects({key: b"x"}), store=store, mailer=mailer), failed(key))
    assert mailer.sent == []
    assert store.notifications == [("failure", None, None)]
    assert CONFIGURED not in {m["to"] for m in mailer.sent}
