"""SES's bounces and complaints on follow-ups, and scheduled sends through the Lambda
functions: the sample EventBridge events (events/), embedded PostgreSQL, the local outbox."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from coaching.adapters.aws.ses_events import mail_event
from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.api.identity import principal_from_claims
from coaching.domain.sending import SUPPRESSED
from coaching.usecases import sending
from coaching.usecases.mail_events import MailEventPorts, record_mail_event
from functions.mail_events.handler import lambda_handler as mail_events_handler
from functions.send_scheduled.handler import lambda_handler as send_scheduled_handler
from tests.api_calls import request
from tests.integration.test_follow_up_sending import (
    _approve,
    _emails,
    _give_address,
    _ready,
    _row,
    _send,
)
from tests.lambda_events import load_event
from tests.local_ports import ports
from tests.review_data import Reviewed, add_coach, reviewed_session

pytestmark = pytest.mark.integration


@pytest.fixture
def review(platform, organization) -> Reviewed:
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


@pytest.fixture
def lambda_context(request) -> LocalLambdaContext:
    name = "send_scheduled" if "send_scheduled" in request.node.name else "mail_events"
    return LocalLambdaContext(name, f"arn:aws:lambda:us-east-1:123456789012:function:{name}")


class Told(list):
    """The coach notifications' hook (SendingPorts.on_failed): what it was told."""

    def __call__(self, org: uuid.UUID, follow_up_id: uuid.UUID, reason: str) -> None:
        self.append((org, follow_up_id, reason))


def _event_ports(told: Told | None = None) -> MailEventPorts:
    return dataclasses.replace(ports().mail_event_ports, on_failed=told)


def _sent(review: Reviewed) -> dict:
    follow_up = _ready(review)
    status, sent = _send(review, follow_up["id"])
    assert status == 200 and sent["status"] == "sent", sent
    return sent


def _about(
    name: str,
    review: Reviewed,
    follow_up: dict,
    *,
    message_id: str | None = None,
    tagged: bool = True,
):
    """The sample SES event, about the follow-up's message (SES's id as recorded at send)."""
    event = load_event(name)
    mail = event["detail"]["mail"]
    row = _row(review.org, follow_up["id"])
    mail["messageId"] = message_id or row["message_id"]
    key = str(row["idempotency_key"])
    mail["tags"]["follow_up_key"] = [key] if tagged else []
    for header in mail["headers"]:
        if header["name"] == "X-Coach-Idempotency-Key":
            header["value"] = key if tagged else "none"
    return event


def _client(org: uuid.UUID, client_id: str) -> dict:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT email_suppressed_at, email_suppressed_reason FROM clients"
            " WHERE organization_id = %s AND id = %s",
            (org, client_id),
        ).fetchone()


def test_a_hard_bounce_fails_the_follow_up_and_the_next_send_skips_the_address(platform, review):
    # Given a follow-up SES accepted, then reported bounced for good
    sent = _sent(review)
    told = Told()
    # When the bounce arrives
    outcome = record_mail_event(
        _event_ports(told), mail_event(_about("mail_events_bounce", review, sent))
    )
    # Then the follow-up failed with SES's reason, the coach's hook heard it once, and the
    # client's address is suppressed
    assert outcome == "recorded"
    row = _row(review.org, sent["id"])
    assert (row["status"], row["status_reason"]) == ("failed", "bounce: Permanent/General")
    assert told == [(review.org, uuid.UUID(sent["id"]), "bounce: Permanent/General")]
    assert _client(review.org, sent["client_id"])["email_suppressed_reason"] == (
        "bounce: Permanent/General"
    )
    # When the coach sends it again: skipped, with the reason, and nothing more emailed
    status, again = _send(review, sent["id"])
    assert status == 200
    assert again["status"] == "failed"
    assert again["status_reason"] == f"{SUPPRESSED}: bounce: Permanent/General"
    assert len(_emails(platform, review.org, sent["id"])) == 1


def test_a_redelivered_event_changes_nothing_and_tells_nobody_again(platform, review):
    sent = _sent(review)
    event = mail_event(_about("mail_events_complaint", review, sent))
    told = Told()
    assert record_mail_event(_event_ports(told), event) == "recorded"
    # When EventBridge delivers the same event again
    assert record_mail_event(_event_ports(told), event) == "already_recorded"
    # Then the coach was told once
    assert len(told) == 1
    assert _row(review.org, sent["id"])["status_reason"] == "complaint: abuse"


def test_changing_the_address_clears_the_suppression(platform, review):
    sent = _sent(review)
    record_mail_event(_event_ports(), mail_event(_about("mail_events_bounce", review, sent)))
    # When the coach corrects the address
    _give_address(review, "Jordan Reyes", "jordan.reyes@example.org")
    # Then the client is no longer suppressed and the follow-up may go again
    assert _client(review.org, sent["client_id"])["email_suppressed_at"] is None
    status, again = _send(review, sent["id"])
    assert status == 200 and again["status"] == "sent", again


def test_a_transient_bounce_fails_the_email_but_keeps_the_address(platform, review):
    sent = _sent(review)
    event = _about("mail_events_bounce", review, sent)
    event["detail"]["bounce"].update(bounceType="Transient", bounceSubType="MailboxFull")
    record_mail_event(_event_ports(), mail_event(event))
    assert _row(review.org, sent["id"])["status_reason"] == "bounce: Transient/MailboxFull"
    assert _client(review.org, sent["client_id"])["email_suppressed_at"] is None


def test_the_idempotency_key_tag_finds_a_follow_up_whose_message_id_was_never_recorded(
    platform, review
):
    # Given an email SES accepted, but the process stopped before recording it ('sending')
    follow_up = _ready(review)
    with ports().database.transaction(review.org) as conn:
        conn.execute(
            "UPDATE follow_ups SET status = 'sending' WHERE organization_id = %s AND id = %s",
            (review.org, follow_up["id"]),
        )
    event = _about("mail_events_bounce", review, follow_up, message_id="0100-never-recorded-000000")
    # When its bounce arrives
    assert record_mail_event(_event_ports(), mail_event(event)) == "recorded"
    # Then the follow-up is found by its key: failed, SES's message id kept
    row = _row(review.org, follow_up["id"])
    assert (row["status"], row["message_id"]) == ("failed", "0100-never-recorded-000000")


def test_an_event_about_an_earlier_message_of_the_follow_up_is_ignored(platform, review):
    # Given a follow-up sent again since (its latest message id is another)
    sent = _sent(review)
    event = _about("mail_events_bounce", review, sent, message_id="0100-an-earlier-message-000000")
    # When the earlier message's bounce arrives late
    assert record_mail_event(_event_ports(), mail_event(event)) == "already_recorded"
    # Then the follow-up stays sent
    assert _row(review.org, sent["id"])["status"] == "sent"


def test_an_event_about_no_follow_up_is_left_alone(platform, review):
    event = load_event("mail_events_bounce")
    event["detail"]["mail"]["tags"]["follow_up_key"] = [str(uuid.uuid4())]
    event["detail"]["mail"]["messageId"] = "0100-a-notice-to-a-coach-000000"
    assert record_mail_event(_event_ports(), mail_event(event)) == "not_a_follow_up"


def test_the_mail_events_function_applies_the_sample_event(platform, review, lambda_context):
    sent = _sent(review)
    answer = mail_events_handler(
        _about("mail_events_bounce", review, sent), lambda_context, ports=ports()
    )
    assert answer == {"outcome": "recorded"}
    again = mail_events_handler(
        _about("mail_events_bounce", review, sent), lambda_context, ports=ports()
    )
    assert again == {"outcome": "already_recorded"}
    # An event of another kind (a delivery) is not retried, and changes nothing
    delivery = load_event("mail_events_bounce")
    delivery["detail"]["eventType"] = "Delivery"
    assert mail_events_handler(delivery, lambda_context, ports=ports()) == {"outcome": "ignored"}


def test_every_failure_of_a_send_passes_the_one_hook(platform, review):
    # Given a client without an address
    _give_address(review, "Priya Nair", None)
    summary = review.summaries()["Priya Nair"]
    follow_up = _approve(review, "Priya Nair")
    told = Told()
    # When it is sent
    sending.send_claimed(
        dataclasses.replace(ports().sending_ports, on_failed=told),
        review.org,
        uuid.UUID(follow_up["id"]),
    )
    # Then the hook heard why
    assert told == [(review.org, uuid.UUID(follow_up["id"]), "client_has_no_email_address")]
    assert summary["client_id"] == follow_up["client_id"]


def test_the_send_scheduled_function_sends_what_is_due(platform, review, lambda_context):
    # Given a follow-up scheduled for a minute ago
    follow_up = _ready(review)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    sending.schedule_follow_up(
        ports().sending_ports,
        principal_from_claims(review.claims()),
        uuid.UUID(follow_up["id"]),
        at,
    )
    # When the scheduler's tick invokes the function
    answer = send_scheduled_handler(
        load_event("send_scheduled_tick"), lambda_context, ports=ports()
    )
    # Then it was sent, once
    assert answer["tried"] >= 1
    assert _row(review.org, follow_up["id"])["status"] == "sent"
    assert len(_emails(platform, review.org, follow_up["id"])) == 1


def test_a_bounce_that_arrives_before_the_send_is_recorded_is_not_overwritten(platform, review):
    # Given an email SES accepted and bounced at once, its bounce found by the key tag
    follow_up = _ready(review)
    follow_up_id = uuid.UUID(follow_up["id"])
    store = ports().sending_ports.sending
    assert store.start_sending(review.org, follow_up_id) is not None
    event = _about("mail_events_bounce", review, follow_up, message_id="0100-fast-bounce-000000")
    assert record_mail_event(_event_ports(), mail_event(event)) == "recorded"
    # When the sender then records the send
    store.record_sent(review.org, follow_up_id, "0100-fast-bounce-000000")
    # Then the bounce stands
    row = _row(review.org, follow_up["id"])
    assert (row["status"], row["status_reason"]) == ("failed", "bounce: Permanent/General")


def test_the_clients_view_says_the_address_is_suppressed_and_why_until_it_changes(platform, review):
    # Given a client whose follow-up bounced for good
    sent = _sent(review)
    record_mail_event(_event_ports(), mail_event(_about("mail_events_bounce", review, sent)))
    client_path = f"/v1/clients/{sent['client_id']}"
    # When the coach opens the client, and lists their clients
    status, client = request("GET", client_path, review.claims())
    listed_status, listed = request("GET", "/v1/clients", review.claims(), query={"limit": "200"})
    # Then both say the address is suppressed, the client's view why and since when
    assert status == 200, client
    assert client["email_suppressed"] is True
    assert client["email_suppressed_reason"] == "bounce: Permanent/General"
    assert client["email_suppressed_at"] is not None
    assert listed_status == 200, listed
    by_id = {item["id"]: item for item in listed["items"]}
    assert by_id[sent["client_id"]]["email_suppressed"] is True
    assert [i for i, item in by_id.items() if item["email_suppressed"]] == [sent["client_id"]]
    # And once the coach corrects the address, it no longer is
    _give_address(review, "Jordan Reyes", "jordan.reyes@example.org")
    status, client = request("GET", client_path, review.claims())
    assert status == 200
    assert (client["email_suppressed"], client["email_suppressed_reason"]) == (False, None)
