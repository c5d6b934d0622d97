"""Held coach notices on embedded PostgreSQL: the queue's claims (one run's batch, never two
runs'), organization scope, and the whole way from a failed follow-up through the coach's
preferences to one email in the outbox, sent by `coach serve`'s notice schedule."""

from __future__ import annotations

import datetime as dt
import email
import uuid
from email import policy

import pytest

from coaching.adapters.postgres.coach_notices import PostgresNoticeQueue, PostgresNoticeRecipients
from coaching.domain.notices import CoachNotice
from local_runtime.notice_schedule import NoticeSchedule
from tests.api_calls import request
from tests.lambda_events import load_event
from tests.local_ports import ports
from tests.review_data import Reviewed, add_coach, reviewed_session

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
STALE = NOW - dt.timedelta(minutes=15)


@pytest.fixture
def review(platform, organization) -> Reviewed:
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


def _notice(review: Reviewed, subject: str = "Ready") -> CoachNotice:
    return CoachNotice(review.coach_id, review.session_id, "review_ready", subject, "body")


def _statuses(org: uuid.UUID) -> list[str]:
    with ports().database.transaction(org) as conn:
        rows = conn.execute(
            "SELECT status FROM coach_notices WHERE organization_id = %s ORDER BY id", (org,)
        ).fetchall()
    return [row["status"] for row in rows]


def _coach_email(review: Reviewed) -> str:
    with ports().database.transaction(review.org) as conn:
        row = conn.execute("SELECT email FROM coaches WHERE id = %s", (review.coach_id,))
        return row.fetchone()["email"]


def _emails_to(platform, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(platform.settings.outbox_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def test_a_due_notice_is_claimed_by_one_run_only_and_recorded_sent(review):
    queue = PostgresNoticeQueue(ports().database)
    queue.hold(review.org, _notice(review, "first"), NOW - dt.timedelta(minutes=1))
    queue.hold(review.org, _notice(review, "second"), NOW)
    queue.hold(review.org, _notice(review, "later"), NOW + dt.timedelta(hours=1))
    assert (review.org, review.coach_id) in queue.coaches_due(NOW, STALE)
    # When two runs claim
    batch = queue.claim(review.org, review.coach_id, NOW, STALE)
    again = queue.claim(review.org, review.coach_id, NOW, STALE)
    # Then the first took the due notices, in the order raised; the second nothing
    assert batch is not None and not batch.resumed
    assert [n.subject for n in batch.notices] == ["first", "second"]
    assert again is None
    assert (review.org, review.coach_id) not in queue.coaches_due(NOW, STALE)
    queue.record_sent(review.org, batch.id, "<m-1@coach.local>")
    assert _statuses(review.org) == ["sent", "sent", "queued"]
    # The words of a sent notice (first names, perhaps) are not kept
    with ports().database.transaction(review.org) as conn:
        kept = conn.execute(
            "SELECT subject, body FROM coach_notices WHERE organization_id = %s ORDER BY id",
            (review.org,),
        ).fetchall()
    assert [(k["subject"], k["body"]) for k in kept] == [("", ""), ("", ""), ("later", "body")]


def test_a_batch_left_claimed_is_resumed_once_after_the_lease(review):
    queue = PostgresNoticeQueue(ports().database)
    queue.hold(review.org, _notice(review), NOW)
    batch = queue.claim(review.org, review.coach_id, NOW, STALE)
    assert batch is not None
    later = NOW + dt.timedelta(minutes=20)
    later_stale = later - dt.timedelta(minutes=15)
    assert (review.org, review.coach_id) in queue.coaches_due(later, later_stale)
    resumed = queue.claim(review.org, review.coach_id, later, later_stale)
    assert resumed is not None and resumed.resumed and resumed.id == batch.id
    # Taken again now: another run does not resume it too
    assert queue.claim(review.org, review.coach_id, later, later_stale) is None
    queue.abandon(review.org, batch.id)
    assert _statuses(review.org) == ["abandoned"]


def test_a_released_batch_is_queued_again(review):
    queue = PostgresNoticeQueue(ports().database)
    queue.hold(review.org, _notice(review), NOW)
    batch = queue.claim(review.org, review.coach_id, NOW, STALE)
    queue.release(review.org, batch.id)
    assert _statuses(review.org) == ["queued"]
    assert queue.claim(review.org, review.coach_id, NOW, STALE).id != batch.id


def test_another_organization_neither_claims_nor_finishes_a_coachs_notices(platform, review):
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    queue = PostgresNoticeQueue(ports().database)
    queue.hold(review.org, _notice(review), NOW)
    assert queue.claim(other, review.coach_id, NOW, STALE) is None
    batch = queue.claim(review.org, review.coach_id, NOW, STALE)
    queue.record_sent(other, batch.id, "<m@x>")
    assert _statuses(review.org) == ["claimed"]
    # Row-level security: the other organization's transaction sees no row at all
    with ports().database.transaction(other) as conn:
        assert conn.execute("SELECT count(*) AS n FROM coach_notices").fetchone()["n"] == 0
    assert (
        PostgresNoticeRecipients(ports().database).notice_recipient(other, review.coach_id) is None
    )


def test_a_coachs_stored_preferences_are_read_with_their_address(review):
    claims = review.claims()
    status, profile = request("GET", "/v1/coach-profile", claims)
    preferences = {**profile["notification_preferences"], "time_zone": "Asia/Tokyo"}
    body = {k: profile[k] for k in ("name", "voice_profile")}
    status, _ = request(
        "PUT", "/v1/coach-profile", claims, body={**body, "notification_preferences": preferences}
    )
    assert status == 200
    address, stored = PostgresNoticeRecipients(ports().database).notice_recipient(
        review.org, review.coach_id
    )
    assert (address, stored.time_zone) == (_coach_email(review), "Asia/Tokyo")


def _approved_without_address(review: Reviewed) -> dict:
    summary = review.summaries()["Priya Nair"]
    ports().contact_details.update_contact(
        review.org, uuid.UUID(summary["client_id"]), {"email": None}
    )
    status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", review.claims())
    assert status == 200, body
    return body["follow_up"]


def test_a_failed_send_tells_the_sessions_coach_at_once_by_default(platform, review):
    follow_up = _approved_without_address(review)
    status, body = request("POST", f"/v1/follow-ups/{follow_up['id']}/send", review.claims())
    assert (status, body["status"]) == (200, "failed")
    (message,) = _emails_to(platform, _coach_email(review))
    assert message["Subject"] == "A follow-up to Priya was not sent"
    text = message.get_content()
    assert f"/follow-ups/{follow_up['id']}" in text
    assert "no email address on record" in text
    assert "Nair" not in text


def test_in_quiet_hours_the_notice_waits_for_the_schedule_and_goes_once(platform, review):
    # Given quiet hours around the present moment, in the coach's zone
    now = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9)))
    quiet = {
        "start": (now - dt.timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + dt.timedelta(hours=1)).strftime("%H:%M"),
    }
    status, profile = request("GET", "/v1/coach-profile", review.claims())
    preferences = {
        **profile["notification_preferences"],
        "time_zone": "Asia/Tokyo",  # UTC+9, no daylight saving
        "quiet_hours": quiet,
    }
    body = {k: profile[k] for k in ("name", "voice_profile")}
    body["notification_preferences"] = preferences
    assert request("PUT", "/v1/coach-profile", review.claims(), body=body)[0] == 200
    follow_up = _approved_without_address(review)
    # When the send fails
    request("POST", f"/v1/follow-ups/{follow_up['id']}/send", review.claims())
    # Then nothing went yet; the schedule sends it after the quiet hours, once
    address = _coach_email(review)
    assert _emails_to(platform, address) == []
    assert _statuses(review.org) == ["queued"]
    clock = [dt.datetime.now(dt.UTC)]
    schedule = NoticeSchedule(ports().coach_notices, clock=lambda: clock[0])
    schedule.run_once()
    assert _emails_to(platform, address) == []
    clock[0] += dt.timedelta(hours=2)
    schedule.run_once()
    schedule.run_once()  # the next minute's run (counts other tests' notices: not asserted)
    (message,) = _emails_to(platform, address)
    assert f"/follow-ups/{follow_up['id']}" in message.get_body(("plain",)).get_content()
    assert _statuses(review.org) == ["sent"]


def test_the_scheduled_lambda_sends_a_coachs_digest_once(platform, review):
    from coaching.adapters.local.lambda_context import LocalLambdaContext
    from functions.send_coach_notices.handler import lambda_handler

    queue = PostgresNoticeQueue(ports().database)
    queue.hold(review.org, _notice(review, "Session one is ready"), NOW)
    queue.hold(review.org, _notice(review, "Session two is ready"), NOW)
    context = LocalLambdaContext("send_coach_notices", "arn:aws:lambda:local:0:function:n")
    event = load_event("send_coach_notices_schedule")
    # When EventBridge invokes it, then again (a retried delivery of the event)
    first = lambda_handler(event, context, ports=platform.ports, now=NOW)
    lambda_handler(event, context, ports=platform.ports, now=NOW)
    # Then the coach has one digest listing both
    assert first["emails"] >= 1
    (message,) = _emails_to(platform, _coach_email(review))
    assert message["Subject"] == "Your coaching digest: 2 notices"
    text = message.get_body(("plain",)).get_content()
    assert "Session one is ready" in text and "Session two is ready" in text
    assert _statuses(review.org) == ["sent", "sent"]
