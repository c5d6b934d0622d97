"""A probe of `coach serve` as an outsider would try it (issue 9): input that used to break
it, a token for an organization it does not have, what its answers announce, and the
permissions of what it writes to disk."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator

import httpx
import pytest

from coaching.adapters.local.tokens import LocalTokens, signing_key
from tests.e2e.serve_harness import ServeProcess, running_server

pytestmark = pytest.mark.e2e

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    with running_server(tmp_path_factory.mktemp("coach-hardening"), sample_done=True) as serve:
        yield serve


def url(server: ServeProcess, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_a_json_body_nested_100000_deep_is_a_422_not_a_500(server):
    deep = "[" * 100_000 + "]" * 100_000
    for path, headers in [
        ("/v1/templates", server.auth()),
        ("/v1/auth/login", {}),
    ]:
        answer = httpx.post(
            url(server, path),
            content=deep.encode(),
            headers={**headers, "Content-Type": "application/json"},
            timeout=30,
        )
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["error"]["code"] == "COACH_422"
    assert "RecursionError" not in server.stderr


def test_a_token_of_an_organization_not_on_record_is_a_401(server):
    claims = {
        "sub": str(uuid.uuid4()),
        "custom:organization_id": str(uuid.uuid4()),
        "custom:role": "admin",
    }
    token = LocalTokens(signing_key(None, server.home / "secrets")).issue_access(claims)
    for path in ("/v1/sessions", "/v1/organization", "/v1/executions", "/v1/templates"):
        answer = httpx.get(url(server, path), headers=server.auth(token), timeout=10)
        assert answer.status_code == 401, (path, answer.text)
        assert answer.json()["error"]["code"] == "COACH_401"
        assert answer.headers["www-authenticate"] == "Bearer"
    assert "ForeignKeyViolation" not in server.stderr


ANSWERS = {
    "health": ("GET", "/health"),
    "a v1 route": ("GET", "/v1/sessions"),
    "the OpenAPI document": ("GET", "/openapi.json"),
    "the docs as JSON": ("GET", "/docs?format=json"),
    "no such file": ("GET", "/nowhere.txt"),  # (a bare path is the built web app's own route)
    "no such route": ("GET", "/v1/nowhere"),
    "an upload with a bad token": ("PUT", "/uploads/not-a-token"),
    "the @connections API": ("POST", "/@connections/nobody"),
    "the Swagger UI page": ("GET", "/docs"),
}


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_no_answer_names_the_server_software(server, answer):
    method, path = ANSWERS[answer]
    response = httpx.request(method, url(server, path), headers=server.auth(), timeout=10)
    assert "server" not in response.headers, response.headers
    announced = " ".join(f"{k}: {v}" for k, v in response.headers.items()).lower()
    for software in ("uvicorn", "starlette", "python", "powertools"):
        assert software not in announced, (answer, software)


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_only_the_swagger_ui_page_may_run_inline_script(server, answer):
    method, path = ANSWERS[answer]
    response = httpx.request(method, url(server, path), headers=server.auth(), timeout=10)
    csp = response.headers["content-security-policy"]
    if answer == "the Swagger UI page":
        assert response.headers["content-type"].startswith("text/html")
        assert "'unsafe-inline'" in csp
    else:
        assert csp == STRICT_CSP, (answer, csp)


def test_outbox_emails_are_readable_by_their_user_only(server):
    # The sample's "ready for review" email is in the outbox by now
    outbox = server.home / "outbox"
    emails = list(outbox.glob("*.eml"))
    assert emails, "the sample's email is missing"
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in emails} == {0o600}
