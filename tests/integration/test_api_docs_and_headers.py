"""The OpenAPI document, Swagger UI, security headers and CORS of the API Lambda."""

from __future__ import annotations

import json
import uuid

import pytest

from coaching.adapters.local.lambda_context import LocalLambdaContext
from tests.lambda_events import load_event
from tests.local_ports import api_handler, ports

# Every call goes through the API over the local platform, whatever order the tests run in.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("platform")]

CONTEXT = LocalLambdaContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api")


def _call(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> dict:
    event = load_event("api_get_sessions")
    event["path"] = path
    event["httpMethod"] = method
    event["headers"] = headers or {}
    event["multiValueHeaders"] = {k: [v] for k, v in (headers or {}).items()}
    result = api_handler(event, CONTEXT)
    result["h"] = {k.lower(): v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()}
    return result


def test_the_openapi_document_describes_the_v1_routes():
    result = _call("/openapi.json")
    assert result["statusCode"] == 200
    document = json.loads(result["body"])
    assert document["info"]["title"] == "Coaching Platform API"
    assert document["info"]["version"]
    assert {"/v1/sessions", "/v1/sessions/{session_id}", "/v1/executions"} <= set(document["paths"])
    # Errors are documented in their real shape
    not_found = document["paths"]["/v1/sessions/{session_id}"]["get"]["responses"]["404"]
    assert "error" in not_found["content"]["application/json"]["schema"]["properties"]


def test_docs_is_the_swagger_ui_page_with_its_own_csp():
    result = _call("/docs")
    assert result["statusCode"] == 200
    assert result["h"]["content-type"] == "text/html"
    assert "swagger" in result["body"].lower()
    assert "script-src 'unsafe-inline'" in result["h"]["content-security-policy"]
    assert result["h"]["x-frame-options"] == "DENY"


def _call_with_query(path: str, query: dict[str, str], method: str = "GET") -> dict:
    event = load_event("api_get_sessions")
    event["path"] = path
    event["httpMethod"] = method
    event["headers"] = event["multiValueHeaders"] = {}
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    result = api_handler(event, CONTEXT)
    result["h"] = {k.lower(): v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()}
    return result


@pytest.mark.parametrize(
    ("method", "query"), [("GET", {"format": "json"}), ("POST", {}), ("DELETE", {})]
)
def test_only_the_swagger_page_itself_may_run_inline_script(method, query):
    # Given an answer on /docs that is not the Swagger UI page (its JSON, an error)
    result = _call_with_query("/docs", query, method)
    # Then it carries the strict CSP, as every JSON answer does
    assert not result["h"]["content-type"].startswith("text/html"), result["h"]
    assert result["h"]["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def _assert_security_headers(headers: dict[str, str]) -> None:
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert headers["cache-control"] == "no-store"


def test_a_v1_answer_carries_the_security_headers(platform):
    result = _call("/v1/sessions")
    assert result["statusCode"] == 200
    _assert_security_headers(result["h"])


@pytest.mark.parametrize("path", ["/v1/no-such-route", f"/v1/sessions/{uuid.uuid4()}"])
def test_an_error_answer_carries_the_security_headers(platform, path):
    result = _call(path)
    assert result["statusCode"] == 404
    assert json.loads(result["body"])["error"]["code"] == "COACH_404"
    _assert_security_headers(result["h"])


def test_a_preflight_from_the_web_app_is_allowed():
    origin = ports().settings.web_origin
    result = _call(
        "/v1/sessions", "OPTIONS", {"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    assert result["statusCode"] == 204
    assert result["h"]["access-control-allow-origin"] == origin


def test_a_preflight_from_another_origin_gets_no_cors_headers():
    result = _call(
        "/v1/sessions",
        "OPTIONS",
        {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in result["h"]


def test_the_local_server_answers_unknown_paths_in_the_error_shape():
    import httpx
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from local_runtime.gateway import proxy_endpoint
    from local_runtime.server import API_EXCEPTION_HANDLERS, api_routes

    endpoint = proxy_endpoint(api_handler, lambda _: {}, 1024 * 1024)
    app = Starlette(routes=api_routes(endpoint), exception_handlers=API_EXCEPTION_HANDLERS)
    with TestClient(app) as client:
        docs = client.get("/docs")
        missing = client.get("/v1/a%0Ab")
    assert docs.status_code == 200
    assert missing.status_code == httpx.codes.NOT_FOUND
    assert missing.json()["error"]["code"] == "COACH_404"
    assert missing.headers["x-content-type-options"] == "nosniff"


def test_every_answer_of_the_local_server_carries_the_strict_csp(platform):
    from starlette.testclient import TestClient

    from local_runtime.server import build_app

    # Given `coach serve`'s app (not started: no drop folder, no sample)
    client = TestClient(build_app(platform), client=("127.0.0.1", 50000))
    # When it answers on its own (uploads, @connections, the router) and through the API
    answers = {
        "upload": client.put("/uploads/not-a-token", content=b"WEBVTT"),
        "@connections": client.post("/@connections/nobody", content=b"{}"),
        # (a file name: a bare path would be the web app's own route, when it is built)
        "router": client.get("/nowhere.txt"),
        "docs json": client.get("/docs", params={"format": "json"}),
        "health": client.get("/health"),
    }
    # Then every one has the strict CSP and the other security headers
    for name, answer in answers.items():
        assert answer.headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        ), name
        assert answer.headers["x-content-type-options"] == "nosniff", name
    # And only the Swagger UI page may run its inline script
    assert "'unsafe-inline'" in client.get("/docs").headers["content-security-policy"]
