"""Uploading transcripts through the API: multipart in the request, or to an upload URL that
`coach serve` takes (PUT /uploads/<token>), both ending in the session pipeline."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import uuid

import httpx
import pytest
from starlette.testclient import TestClient

from coaching.domain.identity import Role
from coaching.usecases.upload import safe_name
from tests.api_calls import api_event, call_api, claims_for, delete, request
from tests.local_ports import ports, ports_replaced
from tests.review_data import add_coach
from tests.samples import variant

pytestmark = pytest.mark.integration


def form_event(claims, files=None, data=None, headers=None) -> dict:
    """POST /v1/sessions as API Gateway delivers a multipart body: base64-encoded."""
    built = httpx.Request("POST", "https://api.test/v1/sessions", files=files, data=data)
    body = built.read()
    event = api_event("POST", "/v1/sessions", claims)
    event["body"] = base64.b64encode(body).decode("ascii")
    event["isBase64Encoded"] = True
    sent = {
        "Content-Type": built.headers["content-type"],
        "Content-Length": str(len(body)),
        **(headers or {}),
    }
    event["headers"].update(sent)
    event["multiValueHeaders"].update({k: [v] for k, v in sent.items()})
    return event


def upload(claims, content: bytes, name: str = "session.vtt", **fields) -> tuple[int, dict]:
    event = form_event(
        claims,
        files={"transcript": (name, content, "text/vtt")},
        data={k: str(v) for k, v in fields.items()},
    )
    status, body, _ = call_api(event)
    return status, body


@pytest.fixture
def team(organization):
    lead = add_coach(organization, "Lee Lead")
    return {
        "org": organization,
        "lead": lead,
        "a": add_coach(organization, "Maya Chen", lead_coach_id=lead),
        "b": add_coach(organization, "Bo Other"),
    }


# -- POST /v1/sessions ---------------------------------------------------------------------


def test_an_uploaded_transcript_is_processed_as_the_callers_session(platform, team):
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    status, body = upload(
        claims, variant("upload"), "Team leads.vtt", session_type="group", session_date="2026-11-20"
    )
    assert status == 202, body
    session_id = uuid.UUID(body["session_id"])
    assert body["status"] in ("received", "processing", "completed")
    assert body["links"]["status"] == f"/v1/sessions/{session_id}/status"
    assert platform.workflow.wait(body["execution_name"]).status == "SUCCEEDED"
    # The caller's own session, with what the form said, and the original kept
    session = platform.deps.sessions.get_session(team["org"], session_id)
    assert session.coach_id == team["a"]
    assert (session.session_type, session.session_date) == ("group", dt.date(2026, 11, 20))
    assert platform.deps.objects.get(session.transcript_key) == variant("upload")
    status, result = request("GET", f"/v1/sessions/{session_id}/status", claims)
    assert (status, result["status"]) == (200, "completed")
    entries = ports().audit_log.entries(team["org"], resource_id=str(session_id))
    assert [e.action for e in entries if e.resource_type == "session"][-1] == "create"


def test_an_admin_uploads_for_a_coach_of_their_organization(platform, team):
    admin = claims_for(team["org"], Role.ADMIN)
    status, body = upload(admin, variant("for-b"), coach_id=team["b"])
    assert status == 202, body
    platform.workflow.wait(body["execution_name"])
    session = platform.deps.sessions.get_session(team["org"], uuid.UUID(body["session_id"]))
    assert session.coach_id == team["b"]
    # Coach B sees it; coach A does not
    b = claims_for(team["org"], Role.COACH, coach_id=team["b"])
    a = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    assert request("GET", f"/v1/sessions/{session.id}", b)[0] == 200
    assert request("GET", f"/v1/sessions/{session.id}", a)[0] == 404


@pytest.mark.parametrize(
    "who",
    [
        "admin-unknown-coach",
        "admin-other-org-coach",
        "coach-for-someone-else",
        "lead-outside-team",
    ],
)
def test_an_upload_for_a_coach_one_may_not_name_is_422(platform, team, who):
    other_org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other_org, "other")
    claims, coach_id = {
        "admin-unknown-coach": (claims_for(team["org"], Role.ADMIN), uuid.uuid4()),
        "admin-other-org-coach": (
            claims_for(team["org"], Role.ADMIN),
            add_coach(other_org, "Elsewhere"),
        ),
        "coach-for-someone-else": (
            claims_for(team["org"], Role.COACH, coach_id=team["a"]),
            team["b"],
        ),
        "lead-outside-team": (
            claims_for(team["org"], Role.COACH_LEAD, coach_id=team["lead"]),
            team["b"],
        ),
    }[who]
    status, body = upload(claims, variant(who), coach_id=coach_id)
    assert status == 422
    assert [f["field"] for f in body["error"]["details"]["fields"]] == ["body.coach_id"]
    assert platform.deps.sessions.count_sessions(team["org"]) == 0


def test_a_lead_uploads_for_their_team(platform, team):
    lead = claims_for(team["org"], Role.COACH_LEAD, coach_id=team["lead"])
    status, body = upload(lead, variant("lead-for-a"), coach_id=team["a"])
    assert status == 202
    platform.workflow.wait(body["execution_name"])
    session = platform.deps.sessions.get_session(team["org"], uuid.UUID(body["session_id"]))
    assert session.coach_id == team["a"]


def test_the_same_content_again_is_409_naming_the_session(platform, team):
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    status, first = upload(claims, variant("twice"))
    assert status == 202
    platform.workflow.wait(first["execution_name"])
    status, body = upload(claims, variant("twice"), "again.vtt")
    assert status == 409
    assert body["error"]["code"] == "COACH_409"
    assert first["session_id"] in body["error"]["message"]


def test_a_transcript_that_cannot_be_read_is_422_with_the_parsers_sentence(platform, team):
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    status, body = upload(claims, b"\x00\x01\x02\xff" * 64, "recording.vtt")
    assert status == 422
    assert body["error"]["code"] == "COACH_422"
    assert "recording.vtt" in body["error"]["message"]
    assert platform.deps.sessions.count_sessions(team["org"]) == 0


@pytest.mark.parametrize(
    ("files", "data", "field"),
    [
        ({"session_type": (None, "group")}, None, "body.transcript"),
        ({"notes": ("a.vtt", b"WEBVTT", "text/vtt")}, None, "body.transcript"),
        (
            {"transcript": ("a.vtt", b"WEBVTT", "text/vtt")},
            {"session_type": "x"},
            "body.session_type",
        ),
        (
            {"transcript": ("a.vtt", b"WEBVTT", "text/vtt")},
            {"session_date": "20 Nov"},
            "body.session_date",
        ),
    ],
)
def test_a_form_without_the_file_or_with_bad_fields_is_422_naming_it(team, files, data, field):
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    status, body, _ = call_api(form_event(claims, files=files, data=data))
    assert status == 422
    assert [f["field"] for f in body["error"]["details"]["fields"]] == [field]


def test_a_body_that_is_not_a_form_is_422(team):
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    status, body = request("POST", "/v1/sessions", claims, body={"transcript": "WEBVTT"})
    assert status == 422
    assert [f["field"] for f in body["error"]["details"]["fields"]] == ["header.content-type"]


def test_too_large_is_413_declared_or_not(platform, team, monkeypatch):
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    # Declared too large: refused before the body is read
    event = form_event(
        claims,
        files={"transcript": ("a.vtt", b"WEBVTT", "text/vtt")},
        headers={"Content-Length": str(200 * 1024 * 1024)},
    )
    status, body, _ = call_api(event)
    assert (status, body["error"]["code"]) == (413, "COACH_413")
    # A file over the limit, whatever the header says
    small = dataclasses.replace(platform.deps, max_transcript_bytes=1024)
    with ports_replaced(dependencies=small):
        status, body = upload(claims, variant("big"))
    assert (status, body["error"]["code"]) == (413, "COACH_413")
    assert "MB" in body["error"]["message"]


def test_support_staff_cannot_upload(team):
    support = claims_for(team["org"], Role.SUPPORT)
    assert upload(support, variant("support"))[0] == 403
    status, _ = request("POST", "/v1/sessions/upload-url", support, body={"file_name": "a.vtt"})
    assert status == 403


# -- POST /v1/sessions/upload-url, then PUT to `coach serve` ---------------------------------


@pytest.fixture
def server(platform):
    from local_runtime.server import build_app

    return TestClient(build_app(platform), raise_server_exceptions=False)


def upload_url(claims, file_name="Team leads.vtt", **extra) -> tuple[int, dict]:
    return request(
        "POST", "/v1/sessions/upload-url", claims, body={"file_name": file_name, **extra}
    )


def test_an_upload_url_takes_the_file_and_starts_that_session(platform, team, server):
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    status, ticket = upload_url(claims)
    assert status == 201, ticket
    assert ticket["method"] == "PUT"
    assert ticket["max_bytes"] == platform.deps.max_transcript_bytes
    assert dt.datetime.fromisoformat(ticket["expires_at"]) > dt.datetime.now(dt.UTC)
    url = httpx.URL(ticket["upload_url"])
    assert url.path.startswith("/uploads/")

    answer = server.put(url.path, content=variant("by-url"), headers=ticket["headers"])

    assert answer.status_code == 201, answer.text
    session_id = uuid.UUID(ticket["session_id"])
    assert answer.json()["session_id"] == str(session_id)
    assert platform.workflow.wait(f"upload-{session_id}").status == "SUCCEEDED"
    session = platform.deps.sessions.get_session(team["org"], session_id)
    assert session.coach_id == team["a"]
    assert session.processing_status == "completed"
    assert session.source_name == safe_name("Team leads.vtt")
    expected_key = f"incoming/{team['org']}/{team['a']}/{session_id}/Team_leads.vtt"
    assert session.transcript_key == expected_key
    status, body = request("GET", ticket["links"]["status"], claims)
    assert (status, body["status"]) == (200, "completed")
    # Used once: a second upload to the same URL is refused
    again = server.put(url.path, content=variant("by-url-2"), headers=ticket["headers"])
    assert again.status_code == 409


def test_an_upload_url_refuses_forged_expired_and_too_large_files(platform, team, server):
    from coaching.adapters.local.objects import UPLOAD_PATH

    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    _, ticket = upload_url(claims)
    path = httpx.URL(ticket["upload_url"]).path
    forged = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    assert server.put(forged, content=b"WEBVTT").status_code == 403
    # Expired
    tokens = platform.deps.objects._tokens  # the store's own signer
    expired = tokens.issue("incoming/x/y/z/a.vtt", 1000, dt.datetime.now(dt.UTC) - dt.timedelta(1))
    answer = server.put(UPLOAD_PATH + expired, content=b"WEBVTT")
    assert answer.status_code == 403
    assert "expired" in answer.json()["error"]["message"]
    # Over the size the URL allows, declared or streamed
    key = f"incoming/{team['org']}/{team['a']}/{uuid.uuid4()}/a.vtt"
    small = tokens.issue(key, 10, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    assert server.put(UPLOAD_PATH + small, content=b"x" * 11).status_code == 413
    assert not platform.deps.objects.exists(key)


def test_an_upload_url_is_for_callers_who_may_upload(team):
    admin = claims_for(team["org"], Role.ADMIN)
    status, body = upload_url(admin, coach_id=str(uuid.uuid4()))
    assert status == 422
    assert [f["field"] for f in body["error"]["details"]["fields"]] == ["body.coach_id"]
    status, body = upload_url(admin, file_name="")
    assert status == 422
    status, ticket = upload_url(admin, coach_id=str(team["b"]))
    assert status == 201
    assert f"/{team['b']}/{ticket['session_id']}/" in str(
        ports()
        .dependencies.objects.accept_upload(httpx.URL(ticket["upload_url"]).path.rsplit("/", 1)[-1])
        .key
    )


def test_a_delete_of_a_session_that_was_never_uploaded_is_404(team):
    # An upload URL reserves no session: until the file lands there is nothing to delete
    admin = claims_for(team["org"], Role.ADMIN)
    _, ticket = upload_url(admin)
    assert delete(f"/v1/sessions/{ticket['session_id']}", admin) == 404


# -- sessions that name no coach -----------------------------------------------------------


def test_a_drop_belongs_to_the_coach_with_the_configured_email(platform, organization):
    from coaching.usecases.ingest_drop import ingest_drop
    from coaching.usecases.submit_transcript import process_transcript

    with ports().database.transaction(organization) as conn:
        demo = conn.execute(
            "INSERT INTO coaches (organization_id, email, name) VALUES (%s, %s, %s) RETURNING id",
            (organization, platform.deps.coach_email.upper(), "Demo Coach"),
        ).fetchone()["id"]
    # The drop folder's way in (and `coach process`'s)
    submission, _ = process_transcript(
        platform.deps, platform.workflow, organization, variant("dropped"), "dropped.vtt"
    )
    assert platform.deps.sessions.get_session(organization, submission.session_id).coach_id == demo
    # The S3 drop's way in: the session's row is made by the pipeline's first step
    key = f"incoming/{organization}/s3-dropped.vtt"
    platform.deps.objects.put(key, variant("s3-dropped"))
    started = ingest_drop(platform.workflow, "local", key, "v1", uuid.uuid4())
    assert platform.workflow.wait(started["execution"]).status == "SUCCEEDED"
    session = platform.deps.sessions.get_session(organization, uuid.UUID(started["session_id"]))
    assert session.coach_id == demo


def test_a_drop_with_no_such_coach_belongs_to_no_one_and_admins_see_it(platform, organization):
    from coaching.usecases.submit_transcript import process_transcript

    submission, _ = process_transcript(
        platform.deps, platform.workflow, organization, variant("nobody"), "nobody.vtt"
    )
    assert platform.deps.sessions.get_session(organization, submission.session_id).coach_id is None
    path = f"/v1/sessions/{submission.session_id}"
    assert request("GET", path, claims_for(organization, Role.ADMIN))[0] == 200
    coach = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Someone"))
    assert request("GET", path, coach)[0] == 404


def test_an_upload_url_used_twice_at_once_by_two_workers_starts_one_run(platform, team):
    from concurrent.futures import ThreadPoolExecutor

    from local_runtime.server import build_app

    # Given two workers' apps (`coach serve --workers 2`) and one upload URL
    workers = [TestClient(build_app(platform), raise_server_exceptions=False) for _ in "ab"]
    claims = claims_for(team["org"], Role.COACH, coach_id=team["a"])
    _, ticket = upload_url(claims)
    path = httpx.URL(ticket["upload_url"]).path

    # When both are sent the file through that URL at the same time
    def put(worker: TestClient) -> int:
        content = variant("at-once")
        return worker.put(path, content=content, headers=ticket["headers"]).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(put, workers))

    # Then one stores it and starts its run, the other is told the URL was used
    assert statuses == [201, 409]
    run = platform.workflow.wait(f"upload-{ticket['session_id']}")
    assert run.status == "SUCCEEDED"
