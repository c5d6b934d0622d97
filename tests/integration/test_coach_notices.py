""" "Ready for review" and failure emails go to the session's own coach — in an organization
of several coaches, none reads another's client names — and nowhere when the session has no
coach. The real pipeline, the local outbox, embedded PostgreSQL."""

from __future__ import annotations

import email
import uuid
from email.message import Message

import pytest

from coaching.usecases.submit_transcript import process_transcript
from tests.local_ports import ports
from tests.review_data import add_coach
from tests.samples import SAMPLE

pytestmark = pytest.mark.integration


def coach_with_email(org: uuid.UUID, name: str) -> tuple[uuid.UUID, str]:
    coach_id = add_coach(org, name)
    with ports().database.transaction(org) as conn:
        address = conn.execute("SELECT email FROM coaches WHERE id = %s", (coach_id,)).fetchone()
    return coach_id, address["email"]


def process(platform, org, coach_id, note: str, name: str = "workshop.vtt"):
    data = SAMPLE.read_bytes() + f"\n\nNOTE {note} {uuid.uuid4()}\n".encode()
    submission, execution = process_transcript(
        platform.deps, platform.workflow, org, data, name, coach_id=coach_id
    )
    return submission.session_id, execution


def emails_about(platform, session_id: uuid.UUID) -> list[Message]:
    """Every email in the local outbox that links to this session."""
    outbox = platform.settings.outbox_dir
    found = []
    for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
        message = email.message_from_bytes(path.read_bytes())
        if f"/sessions/{session_id}" in message.get_payload():
            found.append(message)
    return found


def notifications(org: uuid.UUID, session_id: uuid.UUID) -> list[tuple[str, bool, bool]]:
    """(kind, recipient recorded, message id recorded) of the session's notices."""
    with ports().database.transaction(org) as conn:
        rows = conn.execute(
            "SELECT kind, recipient_hash, message_id FROM notifications"
            " WHERE organization_id = %s AND session_id = %s ORDER BY id",
            (org, session_id),
        ).fetchall()
    return [(r["kind"], r["recipient_hash"] is not None, r["message_id"] is not None) for r in rows]


def test_each_coach_gets_only_their_own_sessions_ready_emails(platform, organization):
    # Given two coaches of one organization, each with a processed session
    coach_a, email_a = coach_with_email(organization, "Maya Chen")
    coach_b, email_b = coach_with_email(organization, "Ravi Shah")
    session_a, _ = process(platform, organization, coach_a, "a")
    session_b, _ = process(platform, organization, coach_b, "b")
    # Then each session's "ready" email went to its own coach, and to nobody else
    assert [m["To"] for m in emails_about(platform, session_a)] == [email_a]
    assert [m["To"] for m in emails_about(platform, session_b)] == [email_b]
    # ... the configured address (the drop folder's coach) included
    assert platform.settings.coach_email not in {email_a, email_b}
    assert notifications(organization, session_a) == [("review_ready", True, True)]


def test_a_session_of_no_coach_sends_no_email(platform, organization):
    # Given an organization whose configured coach email names no coach of it
    # When a session is processed without a coach
    session_id, execution = process(platform, organization, None, "nobody")
    # Then it completed, no email was sent, and the record says so
    assert execution.status == "SUCCEEDED"
    assert platform.deps.sessions.get_session(organization, session_id).coach_id is None
    assert emails_about(platform, session_id) == []
    assert notifications(organization, session_id) == [("review_ready", False, False)]


def test_each_coach_gets_only_their_own_sessions_failure_emails(
    platform, organization, failing_step
):
    # Given two coaches of one organization and a step that breaks
    coach_a, email_a = coach_with_email(organization, "Maya Chen")
    coach_b, email_b = coach_with_email(organization, "Ravi Shah")
    failing_step("IndexSession", RuntimeError("disk on fire"))
    # When a session of each fails
    session_a, run_a = process(platform, organization, coach_a, "fail a")
    session_b, run_b = process(platform, organization, coach_b, "fail b")
    assert run_a.status == run_b.status == "FAILED"
    # Then each failure email went to that session's coach only
    failures_a = emails_about(platform, session_a)
    assert [(m["To"], m["Subject"]) for m in failures_a] == [
        (email_a, "A session could not be processed")
    ]
    assert [m["To"] for m in emails_about(platform, session_b)] == [email_b]


def test_a_failed_session_of_no_coach_sends_no_email(platform, organization, failing_step):
    failing_step("IndexSession", RuntimeError("disk on fire"))
    session_id, execution = process(platform, organization, None, "nobody fails")
    assert execution.status == "FAILED"
    assert emails_about(platform, session_id) == []
    assert notifications(organization, session_id) == [("failure", False, False)]
