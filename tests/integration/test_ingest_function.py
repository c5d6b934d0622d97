"""The ingest Lambda on moto: an S3 drop under incoming/ starts exactly one pipeline run."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator

import pytest

from coaching.usecases.ingest_drop import NotADrop, drop_identity
from functions.ingest import handler as ingest
from tests.lambda_events import load_event
from tests.moto_ingest import (
    BUCKET,
    LambdaContext,
    execution_input,
    executions,
    ingest_on_moto,
)

pytestmark = pytest.mark.integration

EVENT = "s3_put_incoming.json"
KEY_ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")  # the segment in the sample key
# Not the organization in the sample key, so the test can tell which one was used.
DEFAULT_ORG = uuid.UUID("0f0f0f0f-0000-4000-8000-00000000d00d")
DECODED_KEY = f"incoming/{KEY_ORG}/Team leads workshop.vtt"  # the event's key is URL-encoded
VERSION = "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    with ingest_on_moto(monkeypatch, COACH_DEFAULT_ORGANIZATION_ID=str(DEFAULT_ORG)) as aws:
        yield aws


def event_with_key(key: str) -> dict:
    event = copy.deepcopy(load_event(EVENT))
    event["Records"][0]["s3"]["object"]["key"] = key
    return event


def test_a_drop_starts_one_deterministically_named_execution(aws):
    # Given the S3 event for a transcript dropped under incoming/<organization>/
    event = load_event(EVENT)
    # When ingest handles it
    result = ingest.lambda_handler(event, LambdaContext(), ports=aws["ports"])
    # Then one execution runs, named after the object version
    session_id, name = drop_identity(BUCKET, DECODED_KEY, VERSION)
    assert name == f"drop-{session_id}"
    assert result == {"started": [{"session_id": str(session_id), "execution": name}]}
    (execution,) = executions(aws)
    assert execution["name"] == name
    # And its input names the key's organization and the URL-decoded key
    assert execution_input(aws, execution) == {
        "organization_id": str(KEY_ORG),
        "session_id": str(session_id),
        "transcript_key": DECODED_KEY,
        "source_name": "Team leads workshop.vtt",
        "session_type": None,
        "session_date": None,
        "coach_name": None,
        "format_hint": None,
        "coach_id": None,
    }


def test_the_same_event_delivered_twice_starts_one_execution(aws):
    # Given an event S3 delivers twice (at-least-once delivery)
    first = ingest.lambda_handler(load_event(EVENT), LambdaContext(), ports=aws["ports"])
    # When the redelivery arrives / Then it does not fail, and names the same run
    second = ingest.lambda_handler(load_event(EVENT), LambdaContext(), ports=aws["ports"])
    assert second == first
    assert len(executions(aws)) == 1


def test_a_key_outside_incoming_is_refused_and_starts_nothing(aws):
    # Given an object created outside the drop prefix
    event = event_with_key("archive/Team+leads+workshop.vtt")
    # When ingest handles it / Then it refuses clearly
    with pytest.raises(NotADrop, match="archive/Team leads workshop.vtt is not a transcript"):
        ingest.lambda_handler(event, LambdaContext(), ports=aws["ports"])
    assert executions(aws) == []


def test_a_key_without_an_organization_uses_the_default_organization(aws):
    # Given a file dropped straight under incoming/
    event = event_with_key("incoming/Team+leads+workshop.vtt")
    # When ingest handles it
    ingest.lambda_handler(event, LambdaContext(), ports=aws["ports"])
    # Then the run belongs to the configured default organization
    (execution,) = executions(aws)
    payload = execution_input(aws, execution)
    assert payload["organization_id"] == str(DEFAULT_ORG)
    assert payload["transcript_key"] == "incoming/Team leads workshop.vtt"
    assert execution["name"] == drop_identity(BUCKET, payload["transcript_key"], VERSION)[1]


def test_a_folder_made_under_incoming_is_skipped_not_failed(aws):
    # Given the S3 console's "create folder" under incoming/
    event = load_event(EVENT)
    event["Records"][0]["s3"]["object"]["key"] = "incoming/march/"
    # When S3 tells ingest about it
    result = ingest.lambda_handler(event, LambdaContext(), ports=aws["ports"])
    # Then nothing starts and nothing fails (no dead-lettered event, no alarm)
    assert result == {"started": [{"skipped": "incoming/march/"}]}
    assert executions(aws) == []
