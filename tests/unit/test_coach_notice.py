"""Notices go to the session's own coach: never to a configured address, and to nobody when
the session has no coach (that is recorded, and logged without any address)."""

from __future__ import annotations

import logging

from coaching.usecases import coach_notice
from coaching.usecases.compensate import compensate
from coaching.usecases.notify_coach import notify_coach
from tests.fakes import FakeMailer, MemoryObjects
from tests.unit.saga_setup import (
    COACH_EMAIL,
    ORG,
    SESSION,
    deps,
    failed,
    notices,
    sent_to,
    status,
    step,
    with_clients,
)

CONFIGURED = "coach@example.com"  # deps()'s coach_email: the drop folder's coach only
STEP = step("k", source_name="a.vtt")


def test_review_ready_goes_to_the_sessions_own_coach():
    mailer = FakeMailer()
    dependencies = with_clients(deps(mailer=mailer), "Jordan Reyes")
    notify_coach(dependencies, STEP)
    assert [m["to"] for m in mailer.sent] == [COACH_EMAIL]
    assert notices(dependencies) == [("review_ready", sent_to(COACH_EMAIL), "message-1")]


def test_a_session_of_no_coach_sends_no_email_and_records_that(caplog):
    mailer = FakeMailer()
    dependencies = with_clients(deps(coach_id=None, mailer=mailer), "Jordan Reyes")
    # Caught at the use case's own logger: once Powertools' shared logger exists (another
    # test imported it), records under `coaching` no longer reach the root's handlers.
    notice_log = logging.getLogger(coach_notice.__name__)
    notice_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger=coach_notice.__name__):
            result = notify_coach(dependencies, STEP)
    finally:
        notice_log.removeHandler(caplog.handler)
    assert mailer.sent == []
    assert notices(dependencies) == [("review_ready", None, None)]
    assert result == {"message_id": None}
    assert "no review_ready email sent" in caplog.text
    assert "@" not in caplog.text  # no address in the log, not even the configured one
    # The session is completed all the same
    assert status(dependencies) == "completed"


def test_the_failure_notice_goes_to_the_sessions_own_coach():
    mailer = FakeMailer()
    key = f"transcripts/{ORG}/{SESSION}/a.vtt"
    dependencies = deps(MemoryObjects({key: b"x"}), mailer=mailer)
    compensate(dependencies, failed(key))
    assert [m["to"] for m in mailer.sent] == [COACH_EMAIL]
    assert notices(dependencies) == [("failure", sent_to(COACH_EMAIL), "message-1")]


def test_a_failed_session_of_no_coach_sends_no_email():
    mailer = FakeMailer()
    key = f"transcripts/{ORG}/{SESSION}/a.vtt"
    dependencies = deps(MemoryObjects({key: b"x"}), coach_id=None, mailer=mailer)
    compensate(dependencies, failed(key))
    assert mailer.sent == []
    assert notices(dependencies) == [("failure", None, None)]
    assert CONFIGURED not in {m["to"] for m in mailer.sent}
