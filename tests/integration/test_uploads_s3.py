"""Uploads on AWS (moto): a presigned POST limited in size to one key under incoming/, and
the S3 ingest starting exactly the session the URL was issued for, with its coach."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import uuid
from collections.abc import Iterator
from urllib.parse import quote_plus

import pytest
import requests

from coaching.adapters.aws.s3_objects import S3ObjectStore
from coaching.usecases.ingest_drop import organization_of_key, upload_of_key
from coaching.usecases.upload import request_upload_url
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

ORG = uuid.UUID("0f0f0f0f-0000-4000-8000-0000000000aa")
COACH = uuid.UUID("0f0f0f0f-0000-4000-8000-0000000000bb")


@dataclasses.dataclass(frozen=True)
class Deps:
    """What request_upload_url reads: the object store, the size limit, the coaches for the
    default coach (never asked here: the coach is named)."""

    objects: S3ObjectStore
    max_transcript_bytes: int = 1024
    coaches: object = None
    coach_email: str = "coach@example.com"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    with ingest_on_moto(monkeypatch) as aws:
        s3 = aws["s3"]
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield {**aws, "objects": S3ObjectStore(s3, BUCKET)}


def s3_event_for(key: str, version: str) -> dict:
    event = copy.deepcopy(load_event("s3_put_incoming.json"))
    record = event["Records"][0]["s3"]
    record["bucket"]["name"] = BUCKET
    record["object"]["key"] = quote_plus(key, safe="/")
    record["object"]["versionId"] = version
    return event


def test_a_presigned_post_admits_one_key_up_to_the_size_limit(aws):
    ticket = request_upload_url(Deps(aws["objects"]), ORG, "Team leads.vtt", coach_id=COACH)
    target = ticket.target
    assert target.method == "POST"
    key = target.fields["key"]
    assert key == f"incoming/{ORG}/{COACH}/{ticket.session_id}/Team_leads.vtt"
    # S3 enforces the size from the signed policy
    policy = json.loads(base64.b64decode(target.fields["policy"]))
    assert ["content-length-range", 1, 1024] in policy["conditions"]
    assert {"key": key} in policy["conditions"] or ["eq", "$key", key] in policy["conditions"]
    # And the browser's form lands the file under that key
    answer = requests.post(
        target.url, data=target.fields, files={"file": ("t.vtt", b"WEBVTT\n")}, timeout=10
    )
    assert answer.status_code in (200, 201, 204), answer.text
    assert aws["objects"].get(key) == b"WEBVTT\n"


def test_the_uploaded_object_starts_the_session_it_was_issued_for(aws):
    ticket = request_upload_url(Deps(aws["objects"]), ORG, "Team leads.vtt", coach_id=COACH)
    key = ticket.target.fields["key"]
    assert organization_of_key(key, uuid.uuid4()) == ORG
    assert upload_of_key(key) == (COACH, ticket.session_id)

    result = ingest.lambda_handler(s3_event_for(key, "v1"), LambdaContext(), ports=aws["ports"])

    assert result["started"] == [
        {"session_id": str(ticket.session_id), "execution": f"upload-{ticket.session_id}"}
    ]
    (execution,) = executions(aws)
    payload = execution_input(aws, execution)
    assert payload["organization_id"] == str(ORG)
    assert payload["session_id"] == str(ticket.session_id)
    assert payload["coach_id"] == str(COACH)
    assert payload["transcript_key"] == key
    # The same upload reported again starts nothing new
    ingest.lambda_handler(s3_event_for(key, "v1"), LambdaContext(), ports=aws["ports"])
    assert len(executions(aws)) == 1


def test_an_upload_for_no_coach_leaves_the_coach_to_the_pipeline(aws):
    ticket = request_upload_url(
        Deps(aws["objects"], coaches=_NoDefaultCoach()), ORG, "a.vtt", coach_id=None
    )
    key = ticket.target.fields["key"]
    assert f"/unassigned/{ticket.session_id}/" in key
    assert upload_of_key(key) == (None, ticket.session_id)


def test_deleting_an_object_removes_every_version(aws):
    objects = aws["objects"]
    key = f"incoming/{ORG}/{COACH}/{uuid.uuid4()}/a.vtt"
    objects.put(key, b"first")
    objects.put(key, b"second")
    objects.put(key + ".other", b"a longer key with the same prefix stays")
    assert objects.delete(key) is True
    versions = aws["s3"].list_object_versions(Bucket=BUCKET, Prefix=key)
    left = [v["Key"] for v in [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])]]
    assert left == [key + ".other"]
    assert objects.delete(key) is False


class _NoDefaultCoach:
    def coach_id_by_email(self, org, email):
        return None
