"""A body larger than one Lambda invocation carries (api/request_size.py) is refused with
the same 413 in both runtimes, naming the presigned upload: by `coach serve`'s gateway
before the API runs (as API Gateway's firewall does in AWS), and by the upload route itself.
The presigned upload still takes the full transcript limit."""

from __future__ import annotations

import base64
import json

import pytest
from starlette.testclient import TestClient

from coaching.api.request_size import DIRECT_BODY_LIMIT_BYTES, too_large_body
from coaching.domain.identity import Role
from local_runtime.server import build_app
from tests.api_calls import api_event, call_api, claims_for, request

pytestmark = pytest.mark.integration

BOUNDARY = "b0undary"


def multipart(size: int) -> bytes:
    """A form whose transcript makes the whole body exactly ``size`` bytes."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="transcript"; '
        f'filename="big.vtt"\r\nContent-Type: text/vtt\r\n\r\nWEBVTT\n\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head + b"x" * (size - len(head) - len(tail)) + tail


def upload_event(claims: dict, body: bytes, declared: int | None) -> dict:
    event = api_event("POST", "/v1/sessions", claims)
    event["body"] = base64.b64encode(body).decode("ascii")
    event["isBase64Encoded"] = True
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if declared is not None:
        headers["Content-Length"] = str(declared)
    event["headers"].update(headers)
    event["multiValueHeaders"].update({k: [v] for k, v in headers.items()})
    return event


def test_the_answer_names_the_presigned_upload():
    message = too_large_body()["error"]["message"]
    assert too_large_body()["error"]["code"] == "COACH_413"
    assert "POST /v1/sessions/upload-url" in message
    assert f"{DIRECT_BODY_LIMIT_BYTES:,}" in message


@pytest.mark.parametrize("declared", [True, False])
def test_the_upload_route_refuses_a_body_lambda_cannot_carry(organization, declared):
    # Given a coach's upload of exactly the limit, its length declared or not (chunked)
    claims = claims_for(organization, Role.ADMIN)
    body = multipart(DIRECT_BODY_LIMIT_BYTES)
    event = upload_event(claims, body, len(body) if declared else None)
    # When the API function gets it
    status, answer, _ = call_api(event)
    # Then it answers 413 with the way forward, as API Gateway's firewall does in AWS
    assert status == 413
    assert answer == too_large_body()


def test_coach_serve_refuses_it_before_the_api_runs_with_the_same_answer(platform):
    client = TestClient(build_app(platform), client=("127.0.0.1", 50000))
    body = multipart(DIRECT_BODY_LIMIT_BYTES)
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    # Without a token too: the size is checked first, as the firewall runs before the
    # authorizer in AWS
    answer = client.post("/v1/sessions", content=body, headers=headers)
    assert answer.status_code == 413
    assert answer.json() == too_large_body()
    # One byte under the limit reaches the API (which then asks for a sign-in)
    smaller = client.post("/v1/sessions", content=multipart(len(body) - 1), headers=headers)
    assert smaller.status_code == 401


def test_the_presigned_upload_still_takes_the_full_transcript_limit(organization, platform):
    claims = claims_for(organization, Role.ADMIN)
    status, ticket = request(
        "POST", "/v1/sessions/upload-url", claims, body={"file_name": "long.vtt"}
    )
    assert status == 201
    assert ticket["max_bytes"] == platform.deps.max_transcript_bytes > DIRECT_BODY_LIMIT_BYTES
    assert json.dumps(ticket)  # an answer the web app can follow
