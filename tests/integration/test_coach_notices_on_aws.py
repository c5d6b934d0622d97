"""In AWS too, a session's notice goes to that session's own coach: the NotifyCoach step on
the AWS runtime's ports (SES v2 on moto, the sender and web URL the stack sets), never to
one configured address."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto.ses.models import ses_backends
from moto.sesv2.models import sesv2_backends

from coaching.composition import build_ports
from coaching.config import Settings
from coaching.usecases.notify_coach import notify_coach
from coaching.usecases.pipeline_input import PipelineInput
from tests.integration.test_coach_notices import coach_with_email, process
from tests.moto_scope import scoped_mock_aws

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
ACCOUNT = "123456789012"
SENDER = "notices@coaching.example.org"
WEB = "https://app.coaching.example.org"


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with scoped_mock_aws(ses_backends, sesv2_backends):
        boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)
        yield ses_backends[ACCOUNT][REGION]


def test_each_sessions_coach_is_told_by_ses_with_the_stacks_sender_and_link(
    platform, organization, ses
) -> None:
    # Given two coaches of one organization with a processed session each
    coach_a, email_a = coach_with_email(organization, "Maya Chen")
    coach_b, email_b = coach_with_email(organization, "Ravi Shah")
    session_a, _ = process(platform, organization, coach_a, "aws a")
    session_b, _ = process(platform, organization, coach_b, "aws b")
    # And the NotifyCoach function's ports as the stack configures them
    aws = build_ports(
        Settings(
            runtime="aws",
            database_url=platform.settings.database_url,
            transcript_bucket="transcripts",
            sender_email=SENDER,
            web_base_url=WEB,
        )
    )
    sent_before = len(ses.sent_messages)

    # When the step runs for each session
    for session_id in (session_a, session_b):
        step = PipelineInput(
            organization_id=organization,
            session_id=session_id,
            transcript_key=f"incoming/{session_id}.vtt",
            source_name="workshop.vtt",
        )
        notify_coach(aws.dependencies, step)

    # Then SES sent one email to each session's own coach, from the sender, linking the web app
    sent = ses.sent_messages[sent_before:]
    assert [m.destinations["ToAddresses"] for m in sent] == [[email_a], [email_b]]
    assert {m.source for m in sent} == {SENDER}
    assert f"{WEB}/sessions/{session_a}" in sent[0].body
    assert platform.settings.coach_email not in {email_a, email_b}
    aws.close()
