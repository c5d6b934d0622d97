"""SES's bounce and complaint events (the EventBridge samples in events/) read into MailEvents,
the SES mailer naming its configuration set and tagging each follow-up, and the unsubscribe
key read from the stack's secret."""

from __future__ import annotations

import uuid

import boto3
import pytest
from botocore.stub import ANY, Stubber

from coaching.adapters.aws.ses_events import NotAMailEvent, mail_event
from coaching.adapters.aws.ses_mailer import SesMailer
from coaching.composition import build_ports
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError
from coaching.domain.sending import OutgoingEmail
from tests.lambda_events import load_event

KEY = uuid.UUID("9b2f4c1e-5d3a-4e8b-a6f7-0c1d2e3f4a5b")  # the samples' follow_up_key


def test_a_permanent_bounce_suppresses_the_address():
    event = mail_event(load_event("mail_events_bounce"))
    assert (event.kind, event.suppress, event.reason) == (
        "bounce",
        True,
        "bounce: Permanent/General",
    )
    assert event.idempotency_key == KEY
    assert event.message_id.endswith("-000000")


def test_a_transient_bounce_does_not():
    sample = load_event("mail_events_bounce")
    sample["detail"]["bounce"].update(bounceType="Transient", bounceSubType="MailboxFull")
    event = mail_event(sample)
    assert (event.suppress, event.reason) == (False, "bounce: Transient/MailboxFull")


def test_a_complaint_suppresses_the_address_with_its_feedback_type():
    event = mail_event(load_event("mail_events_complaint"))
    assert (event.kind, event.suppress, event.reason) == ("complaint", True, "complaint: abuse")


def test_without_the_tag_the_key_comes_from_the_message_s_header():
    sample = load_event("mail_events_bounce")
    del sample["detail"]["mail"]["tags"]["follow_up_key"]
    assert mail_event(sample).idempotency_key == KEY
    sample["detail"]["mail"]["headers"] = []
    assert mail_event(sample).idempotency_key is None  # then the message id alone finds it


def test_the_reason_never_holds_the_address():
    for name in ("mail_events_bounce", "mail_events_complaint"):
        assert "@" not in mail_event(load_event(name)).reason


@pytest.mark.parametrize("event_type", ["Delivery", "Send", "Open", ""])
def test_other_events_are_not_mail_events(event_type):
    sample = load_event("mail_events_bounce")
    sample["detail"]["eventType"] = event_type
    with pytest.raises(NotAMailEvent):
        mail_event(sample)


def test_an_event_without_a_message_is_not_a_mail_event():
    sample = load_event("mail_events_complaint")
    del sample["detail"]["mail"]["messageId"]
    with pytest.raises(NotAMailEvent):
        mail_event(sample)


def _ses():
    return boto3.client(
        "sesv2",
        region_name="us-east-1",
        aws_access_key_id="unit",
        aws_secret_access_key="unit",  # noqa: S106 - never sent: the stubber answers
    )


def test_a_follow_up_names_the_configuration_set_and_carries_its_key_as_a_tag():
    ses = _ses()
    with Stubber(ses) as stub:
        stub.add_response(
            "send_email",
            {"MessageId": "0100-sent"},
            {
                "FromEmailAddress": "no-reply@example.com",
                "Destination": {"ToAddresses": ["jordan@example.net"]},
                "Content": {"Raw": {"Data": ANY}},
                "EmailTags": [{"Name": "follow_up_key", "Value": str(KEY)}],
                "ConfigurationSetName": "coaching-mail",
            },
        )
        email = OutgoingEmail("jordan@example.net", "Hi", "Well done.", "maya@example.com", None)
        delivery = SesMailer(ses, "no-reply@example.com", "coaching-mail").deliver(
            email, idempotency_key=str(KEY)
        )
        stub.assert_no_pending_responses()
    assert delivery.message_id == "0100-sent"


def test_a_coach_notice_names_the_configuration_set_too():
    ses = _ses()
    with Stubber(ses) as stub:
        stub.add_response(
            "send_email",
            {"MessageId": "0100-notice"},
            {
                "FromEmailAddress": "no-reply@example.com",
                "Destination": {"ToAddresses": ["maya@example.com"]},
                "Content": ANY,
                "ConfigurationSetName": "coaching-mail",
            },
        )
        SesMailer(ses, "no-reply@example.com", "coaching-mail").send(
            to="maya@example.com", subject="Ready", body="Your session is ready."
        )
        stub.assert_no_pending_responses()


def test_in_aws_the_unsubscribe_key_comes_from_the_stack_s_secret(monkeypatch):
    secrets = boto3.client(
        "secretsmanager",
        region_name="us-east-1",
        aws_access_key_id="unit",
        aws_secret_access_key="unit",  # noqa: S106 - never sent: the stubber answers
    )
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:unsubscribe-AbCdEf"
    monkeypatch.setattr(boto3, "client", lambda service, **_: secrets)
    settings = Settings(
        runtime="aws",
        unsubscribe_key_secret_arn=arn,
        api_base_url="https://api.example.com/v1-stage/",
        web_base_url="https://app.example.com",
    )
    with Stubber(secrets) as stub:
        stub.add_response(
            "get_secret_value",
            {"ARN": arn, "SecretString": "a-generated-key"},
            {"SecretId": arn},
        )
        links = build_ports(settings).unsubscribe_links
        stub.assert_no_pending_responses()
    org, client = uuid.uuid4(), uuid.uuid4()
    link = links.link(org, client)
    # The link is the REST API's route, signed with the secret's key
    assert link.startswith("https://api.example.com/v1-stage/v1/unsubscribe/")
    assert links.client_of(link.rsplit("/", 1)[1]) == (org, client)


def test_in_aws_without_a_key_or_its_secret_sending_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        _ = build_ports(Settings(runtime="aws")).unsubscribe_links


def test_locally_the_link_points_at_coach_serve():
    ports = build_ports(Settings(unsubscribe_key="k", web_base_url="http://127.0.0.1:8123"))
    assert ports.unsubscribe_links.link(uuid.uuid4(), uuid.uuid4()).startswith(
        "http://127.0.0.1:8123/v1/unsubscribe/"
    )
