"""The REST API's Lambda as API Gateway calls it: REST proxy events, in-process, real database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.domain.errors import TransientError
from coaching.usecases.submit_transcript import process_transcript
from tests.lambda_events import load_event
from tests.local_ports import api_handler
from tests.review_data import add_coach

pytestmark = pytest.mark.integration

SAMPLE = (
    Path(__file__).resolve().parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)
CONTEXT = LocalLambdaContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api")
_LEAKS = ("Traceback", 'File "', "psycopg", "SELECT", "RuntimeError")


def _get(
    path: str,
    org: uuid.UUID | str | None,
    query: dict[str, str] | None = None,
    coach_id: uuid.UUID | None = None,
) -> dict:
    """The sample REST proxy event, pointed at `path`, as the caller (a coach) from `org`."""
    event = load_event("api_get_sessions")
    if coach_id is not None:
        event["requestContext"]["authorizer"]["claims"]["custom:coach_id"] = str(coach_id)
    event["path"] = path
    event["requestContext"]["path"] = f"/prod{path}"
    if path.startswith("/v1/sessions/"):
        event["resource"] = event["requestContext"]["resourcePath"] = "/v1/sessions/{session_id}"
        event["pathParameters"] = {"session_id": path.rsplit("/", 1)[-1]}
    if query:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    if org is None:
        del event["requestContext"]["authorizer"]["claims"]["custom:organization_id"]
    else:
        event["requestContext"]["authorizer"]["claims"]["custom:organization_id"] = str(org)
    return event


def _call(event: dict) -> tuple[int, Any]:
    result = api_handler(event, CONTEXT)
    headers = {**(result.get("headers") or {}), **(result.get("multiValueHeaders") or {})}
    content_type = headers.get("Content-Type")
    assert content_type in ("application/json", ["application/json"]), headers
    assert not any(leak in result["body"] for leak in _LEAKS), result["body"]
    return int(result["statusCode"]), json.loads(result["body"])


def _assert_error(body: Any, code: str) -> dict:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def coach(platform, organization) -> uuid.UUID:
    """A coach of the organization: the sample event's caller owns its sessions."""
    return add_coach(organization, "Maya Chen")


@pytest.fixture
def processed_session(platform, organization, coach) -> uuid.UUID:
    submission, _ = process_transcript(
        platform.deps,
        platform.workflow,
        organization,
        SAMPLE.read_bytes(),
        SAMPLE.name,
        coach_id=coach,
    )
    return submission.session_id


def test_the_sample_event_lists_the_callers_sessions(platform):
    # Given the sample event as API Gateway sends it, for the local organization
    event = load_event("api_get_sessions")
    # When the API handles it
    status, body = _call(event)
    # Then it answers with a list
    assert status == 200
    assert isinstance(body["items"], list)


def test_a_coach_sees_their_own_session_and_its_results(processed_session, organization, coach):
    # When the session's coach lists and opens it
    status, listed = _call(_get("/v1/sessions", organization, coach_id=coach))
    assert status == 200
    assert [s["session_id"] for s in listed["items"]] == [str(processed_session)]
    status, session = _call(_get(f"/v1/sessions/{processed_session}", organization, coach_id=coach))
    # Then it gets the session with each participant's results
    assert status == 200
    assert session["status"] == "completed"
    roles = {p["name"]: p["role"] for p in session["participants"]}
    assert roles["Maya Chen"] == "coach"
    assert sorted(roles.values()).count("client") == 3


def test_another_organization_sees_nothing_of_it(processed_session, platform):
    # Given another organization
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    # When it lists sessions
    status, listed = _call(_get("/v1/sessions", other))
    # Then the session is not there
    assert status == 200
    assert listed["items"] == []
    # And asking for it by id answers as if it did not exist
    status, body = _call(_get(f"/v1/sessions/{processed_session}", other))
    assert status == 404
    _assert_error(body, "COACH_404")


@pytest.mark.parametrize("organization_id", [None, "", "not-a-uuid"])
@pytest.mark.parametrize("path", ["/v1/sessions", f"/v1/sessions/{uuid.uuid4()}"])
def test_a_request_without_an_organization_is_unauthenticated(platform, path, organization_id):
    # When the authorizer passes no usable organization
    status, body = _call(_get(path, organization_id))
    # Then the answer is 401 in the error shape, not a 400 or a crash
    assert status == 401
    _assert_error(body, "COACH_401")


def test_unknown_ids_routes_and_bad_queries_answer_in_the_error_shape(platform, organization):
    status, body = _call(_get(f"/v1/sessions/{uuid.uuid4()}", organization))
    assert status == 404
    _assert_error(body, "COACH_404")
    status, body = _call(_get("/v1/sessions/not-a-uuid", organization))
    assert status == 404
    _assert_error(body, "COACH_404")
    status, body = _call(_get("/v1/nothing-here", organization))
    assert status == 404
    _assert_error(body, "COACH_404")
    status, body = _call(_get("/v1/sessions", organization, {"limit": "0"}))
    assert status == 422
    error = _assert_error(body, "COACH_422")
    assert [f["field"] for f in error["details"]["fields"]] == ["query.limit"]


def test_a_database_outage_is_a_503_without_internals(platform, organization, monkeypatch):
    # Given a store whose database is gone
    def unavailable(*args, **kwargs):
        raise TransientError("The database is unavailable, retrying later.")

    monkeypatch.setattr(platform.deps.sessions, "list_sessions", unavailable)
    # When sessions are listed
    status, body = _call(_get("/v1/sessions", organization))
    # Then the caller is told to retry, in the error shape
    assert status == 503
    _assert_error(body, "COACH_503")


def test_an_unexpected_error_is_a_500_without_a_stack_trace(platform, organization, monkeypatch):
    # Given a bug deep in the store, with SQL in its message
    def broken(*args, **kwargs):
        raise RuntimeError('SELECT * FROM sessions WHERE org = ... File "store.py", line 1')

    monkeypatch.setattr(platform.deps.sessions, "list_sessions", broken)
    # When sessions are listed
    status, body = _call(_get("/v1/sessions", organization))
    # Then the answer is a plain 500 in the error shape: no trace, no SQL, no class names
    assert status == 500
    _assert_error(body, "COACH_500")
