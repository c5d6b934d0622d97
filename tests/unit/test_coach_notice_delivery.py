"""Notices reach the session's coach as their preferences say (at once, held past quiet hours,
in a daily digest, or not at all), and the periodic job sends what was held once, as one email
per coach: all on fakes with a given clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid

from coaching.domain.clients import NotificationPreferences
from coaching.domain.errors import TransientError
from coaching.domain.review import FollowUpRecord
from coaching.domain.sending import OutgoingEmail
from coaching.ports.coach_notices import NoticePorts
from coaching.usecases.follow_up_failure_notice import tell_coach_follow_up_failed
from coaching.usecases.notice_digest import LEASE, send_held_notices
from coaching.usecases.notify_coach import notify_coach
from tests.fakes import FakeMailer, MemoryData
from tests.fakes.coach_notices import FakeNoticeQueue, FakeNoticeRecipients
from tests.fakes.notifications import FakeNotifications
from tests.unit.saga_setup import (
    COACH,
    COACH_EMAIL,
    ORG,
    SESSION,
    deps,
    notices,
    sent_to,
    status,
    step,
    with_clients,
)

EVENING = dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC)
NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
WEB = "https://app.example.test"
FOLLOW_UP = uuid.UUID("00000000-0000-4000-8000-0000000f0110")


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def notice_ports(
    preferences: dict | None = None, *, now=NOON, mailer=None, data=None
) -> NoticePorts:
    chosen = NotificationPreferences.model_validate(preferences or {})
    return NoticePorts(
        recipients=FakeNoticeRecipients({(ORG, COACH): (COACH_EMAIL, chosen)}),
        queue=FakeNoticeQueue(),
        mailer=mailer or FakeMailer(),
        notifications=FakeNotifications(data or MemoryData()),
        web_base_url=WEB,
        clock=Clock(now),
    )


def session_ready(preferences: dict | None = None, *, now=NOON):
    mailer = FakeMailer()
    dependencies = with_clients(deps(mailer=mailer), "Jordan Reyes")
    ports = notice_ports(preferences, now=now, mailer=mailer, data=dependencies.notifications.data)
    dependencies = dataclasses.replace(dependencies, notices=ports)
    result = notify_coach(dependencies, step(source_name="a.vtt"))
    return dependencies, ports, mailer, result


def test_by_default_the_review_notice_goes_at_once_with_its_link():
    dependencies, ports, mailer, result = session_ready()
    assert [m["to"] for m in mailer.sent] == [COACH_EMAIL]
    assert f"{dependencies.review_base_url}/sessions/{SESSION}" in mailer.sent[0]["body"]
    assert result == {"message_id": "message-1"}
    assert notices(dependencies) == [("review_ready", sent_to(COACH_EMAIL), "message-1")]
    assert ports.queue.held == []


def test_a_coach_who_switched_ready_notices_off_gets_none(caplog):
    with caplog.at_level(logging.INFO):
        dependencies, ports, mailer, _ = session_ready({"email_on_ready": False})
    assert mailer.sent == []
    assert ports.queue.held == []
    assert notices(dependencies) == [("review_ready", None, None)]
    assert "@" not in caplog.text
    assert status(dependencies) == "completed"  # the session is done all the same


def test_a_notice_in_quiet_hours_is_held_until_they_end():
    dependencies, ports, mailer, result = session_ready(
        {"quiet_hours": {"start": "22:00", "end": "07:00"}}, now=EVENING
    )
    assert mailer.sent == []
    assert result == {"message_id": None}
    (held,) = ports.queue.held
    assert held.due_at == dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)
    assert held.notice.kind == "review_ready"
    assert held.notice.coach_id == COACH
    # Nothing is recorded sent until it is
    assert notices(dependencies) == []


def test_a_held_notice_goes_when_due_as_it_would_have_at_once():
    dependencies, ports, mailer, _ = session_ready(
        {"quiet_hours": {"start": "22:00", "end": "07:00"}}, now=EVENING
    )
    assert send_held_notices(ports, dt.datetime(2026, 12, 1, 6, 59, tzinfo=dt.UTC)) == 0
    assert send_held_notices(ports, dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)) == 1
    (email,) = mailer.sent
    assert email["to"] == COACH_EMAIL
    assert email["subject"] == "Session summaries ready for review"
    assert f"/sessions/{SESSION}" in email["body"]
    assert ports.queue.statuses() == ["sent"]
    assert notices(dependencies) == [("review_ready", sent_to(COACH_EMAIL), "message-1")]


def test_a_digest_is_one_email_listing_every_held_notice_sent_once():
    ports = notice_ports({"delivery": "daily_digest", "digest_hour": 8}, now=NOON)
    records = FollowUps(client_name="Amara Okafor")
    tell_coach_follow_up_failed(ports, records, ORG, FOLLOW_UP, "client_has_no_email_address")
    ports.clock.now = NOON + dt.timedelta(hours=3)  # type: ignore[attr-defined]
    tell_coach_follow_up_failed(ports, records, ORG, FOLLOW_UP, "delivery_failed: throttled")
    assert ports.mailer.sent == []  # type: ignore[attr-defined]
    digest_time = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    # When: the job runs at the digest hour, then again (a retry, the next minute's run)
    assert send_held_notices(ports, digest_time) == 1
    assert send_held_notices(ports, digest_time + dt.timedelta(minutes=1)) == 0
    (email,) = ports.mailer.sent  # type: ignore[attr-defined]
    assert email["subject"] == "Your coaching digest: 2 notices"
    assert email["body"].count(f"{WEB}/follow-ups/{FOLLOW_UP}") == 2
    assert "no email address on record" in email["body"]
    assert "could not be delivered" in email["body"]
    assert "throttled" not in email["body"]  # our words, not the mail system's
    assert "Okafor" not in email["body"]  # first names only


def test_a_bounce_or_complaint_is_told_in_the_coachs_words():
    from coaching.usecases.follow_up_failure_notice import why

    assert why("bounce: Permanent/General") == "the client's mail server returned it"
    assert why("complaint: abuse") == "the client marked it as unwanted mail"
    assert why("something new: x@example.net") == "it could not be delivered"


def test_a_batch_left_claimed_is_resumed_under_its_key_never_sent_twice():
    ports = notice_ports({"delivery": "daily_digest"}, now=NOON)
    tell_coach_follow_up_failed(ports, FollowUps(), ORG, FOLLOW_UP, "bounce: Permanent/General")
    due = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    # A run delivered the batch and stopped before recording it sent
    batch = ports.queue.claim(ORG, COACH, due, due - LEASE)
    assert batch is not None
    email = OutgoingEmail(COACH_EMAIL, "digest", "text", reply_to=None, unsubscribe_url=None)
    ports.mailer.deliver(email, idempotency_key=str(batch.id))
    # Within the lease nobody touches it; after it, it is resumed with the same key
    assert send_held_notices(ports, due + dt.timedelta(minutes=1)) == 0
    assert send_held_notices(ports, due + LEASE + dt.timedelta(minutes=1)) == 1
    assert len(ports.mailer.sent) == 1  # type: ignore[attr-defined]
    assert ports.queue.statuses() == ["sent"]


def test_without_a_mailer_that_remembers_keys_a_left_batch_is_abandoned(caplog):
    mailer = FakeMailer(remembers_keys=False)
    ports = notice_ports({"delivery": "daily_digest"}, now=NOON, mailer=mailer)
    tell_coach_follow_up_failed(ports, FollowUps(), ORG, FOLLOW_UP, "bounce: Permanent/General")
    due = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert ports.queue.claim(ORG, COACH, due, due - LEASE) is not None
    with caplog.at_level(logging.WARNING):
        assert send_held_notices(ports, due + LEASE + dt.timedelta(minutes=1)) == 0
    assert mailer.sent == []
    assert ports.queue.statuses() == ["abandoned"]
    assert "not sent again" in caplog.text


def test_a_delivery_that_fails_keeps_the_notices_for_the_next_run():
    mailer = OutageMailer()
    ports = notice_ports({"delivery": "daily_digest"}, now=NOON, mailer=mailer)
    tell_coach_follow_up_failed(ports, FollowUps(), ORG, FOLLOW_UP, "bounce: Permanent/General")
    due = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert send_held_notices(ports, due) == 0
    assert ports.queue.statuses() == ["queued"]
    mailer.down = False
    assert send_held_notices(ports, due + dt.timedelta(minutes=1)) == 1
    assert ports.queue.statuses() == ["sent"]


def test_a_failed_follow_up_tells_the_sessions_coach_by_first_name_with_its_link():
    ports = notice_ports()
    message_id = tell_coach_follow_up_failed(
        ports, FollowUps(client_name="Amara Okafor"), ORG, FOLLOW_UP, "refused: words changed"
    )
    (email,) = ports.mailer.sent  # type: ignore[attr-defined]
    assert message_id == "message-1"
    assert email["to"] == COACH_EMAIL
    assert email["subject"] == "A follow-up to Amara was not sent"
    assert f"{WEB}/follow-ups/{FOLLOW_UP}" in email["body"]
    assert "Okafor" not in email["subject"] + email["body"]


def test_a_coach_who_switched_follow_up_failures_off_is_not_told():
    ports = notice_ports({"email_on_follow_up_failure": False})
    tell_coach_follow_up_failed(ports, FollowUps(), ORG, FOLLOW_UP, "bounce: Permanent/General")
    assert ports.mailer.sent == []  # type: ignore[attr-defined]
    assert ports.queue.held == []  # type: ignore[attr-defined]


def test_a_follow_up_of_a_session_without_a_coach_tells_nobody():
    ports = notice_ports()
    tell_coach_follow_up_failed(
        ports, FollowUps(coach_id=None), ORG, FOLLOW_UP, "bounce: Permanent/General"
    )
    assert ports.mailer.sent == []  # type: ignore[attr-defined]
    recorded = ports.notifications.data.notifications  # type: ignore[attr-defined]
    assert recorded[(ORG, SESSION)] == [
        {"kind": "follow_up_failed", "recipient_hash": None, "message_id": None}
    ]


class FollowUps:
    def __init__(self, *, client_name: str = "Amara Okafor", coach_id=COACH) -> None:
        self.record = FollowUpRecord(
            id=FOLLOW_UP,
            summary_id=uuid.uuid4(),
            session_id=SESSION,
            session_coach_id=coach_id,
            client_id=uuid.uuid4(),
            client_name=client_name,
            subject="Our session",
            body="Hi",
            template_id=None,
            status="failed",
            sent_at=None,
            scheduled_for=None,
            created_at=NOON,
        )

    def get_follow_up(self, org, follow_up_id):
        return self.record if (org, follow_up_id) == (ORG, FOLLOW_UP) else None


class OutageMailer(FakeMailer):
    down: bool = True

    def deliver(self, email, *, idempotency_key):
        if self.down:
            raise TransientError("The mail service is unavailable.")
        return super().deliver(email, idempotency_key=idempotency_key)


def test_a_coach_who_switched_failure_notices_off_hears_nothing_of_a_failed_session():
    from coaching.usecases.compensate import compensate
    from tests.fakes import MemoryObjects
    from tests.unit.saga_setup import KEY, failed

    mailer = FakeMailer()
    dependencies = deps(MemoryObjects({KEY: b"x"}), mailer=mailer)
    ports = notice_ports(
        {"email_on_failure": False}, mailer=mailer, data=dependencies.notifications.data
    )
    compensate(dataclasses.replace(dependencies, notices=ports), failed(KEY))
    assert mailer.sent == []
    assert notices(dependencies) == [("failure", None, None)]


def test_a_notice_hook_that_fails_leaves_the_send_recorded_failed(caplog):
    from coaching.domain.sending import NO_ADDRESS, SendClaim
    from coaching.usecases.sending import SendingPorts, send_claimed

    class Sending:
        def __init__(self) -> None:
            self.failed: list[str] = []

        def start_sending(self, org, follow_up_id):
            return SendClaim(follow_up_id, uuid.uuid4(), uuid.uuid4(), "s", "b", None)

        def record_failed(self, org, follow_up_id, reason):
            self.failed.append(reason)

    class Contacts:
        def contact(self, org, client_id):
            from coaching.domain.clients import ClientContact

            return ClientContact(email=None)

    def hook(org, follow_up_id, reason):
        raise TransientError("The database is unavailable, retrying later.")

    sending = Sending()
    ports = SendingPorts(
        review=None,  # type: ignore[arg-type]
        sending=sending,  # type: ignore[arg-type]
        contacts=Contacts(),  # type: ignore[arg-type]
        mailer=FakeMailer(),
        on_failed=hook,
    )
    with caplog.at_level(logging.ERROR):
        send_claimed(ports, ORG, FOLLOW_UP)
    assert sending.failed == [NO_ADDRESS]
    assert "its coach could not be told" in caplog.text
