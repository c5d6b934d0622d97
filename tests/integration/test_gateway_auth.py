"""The local gateway as API Gateway with its Cognito and API key authorizers: every signed-in
route of the OpenAPI document refuses a missing, expired or forged token, and a revoked,
expired, unknown or altered API key, with 401 before the API runs; sign-in, health and docs
stay open; oversized bodies get 413."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coaching.adapters.local.tokens import LocalTokens, signing_key
from coaching.domain.identity import Role
from local_runtime.authorizer import PUBLIC_PREFIXES, LocalAuthorizer, api_key_verifier
from local_runtime.gateway import proxy_endpoint
from local_runtime.server import API_EXCEPTION_HANDLERS, api_routes
from tests.api_calls import claims_for, delete
from tests.api_keys import create_key
from tests.local_ports import api_handler, ports

pytestmark = pytest.mark.integration

BODY_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def client(platform):
    authorizer = LocalAuthorizer(
        ports().identity_provider.verify, verify_key=api_key_verifier(ports().api_keys)
    )
    endpoint = proxy_endpoint(api_handler, authorizer, BODY_LIMIT)
    app = Starlette(routes=api_routes(endpoint), exception_handlers=API_EXCEPTION_HANDLERS)
    with TestClient(app) as test_client:
        yield test_client


def _signed_in_operations(client: TestClient) -> list[tuple[str, str]]:
    document = client.get("/openapi.json").json()
    operations = []
    for path, methods in document["paths"].items():
        if not path.startswith("/v1/") or path.startswith(PUBLIC_PREFIXES):
            continue
        concrete = path
        for name in ("{" + part.split("}")[0] for part in path.split("{")[1:]):
            concrete = concrete.replace(name + "}", str(uuid.uuid4()))
        operations.extend((method.upper(), concrete) for method in methods)
    return operations


def _tokens() -> dict[str, str]:
    settings = ports().settings
    key = signing_key(None, settings.secrets_dir)
    claims = {
        "sub": str(uuid.uuid4()),
        "custom:organization_id": str(settings.default_organization_id),
        "custom:role": "admin",
    }
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    return {
        "missing": "",
        "not bearer": "Basic YWRtaW46YWRtaW4=",
        "expired": "Bearer " + LocalTokens(key, clock=lambda: long_ago).issue_access(claims),
        "forged": "Bearer " + LocalTokens(b"somebody else's key, not ours!!!").issue_access(claims),
        "garbage": "Bearer not.a.token",
        # Signed with our key, but for an organization that is not on record
        "unknown organization": "Bearer "
        + LocalTokens(key).issue_access({**claims, "custom:organization_id": str(uuid.uuid4())}),
    }


def test_every_signed_in_route_refuses_bad_tokens_with_401(client):
    operations = _signed_in_operations(client)
    assert len(operations) >= 10, operations  # the document lists the API's routes
    for kind, header in _tokens().items():
        headers = {"Authorization": header} if header else {}
        for method, path in operations:
            answer = client.request(method, path, headers=headers)
            assert answer.status_code == 401, (kind, method, path, answer.text)
            error = answer.json()["error"]
            assert error["code"] == "COACH_401" and error["message"], (kind, method, path)
            assert answer.headers["www-authenticate"] == "Bearer"
            assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_valid_token_gets_through(client, platform):
    settings = ports().settings
    claims = {
        "sub": str(uuid.uuid4()),
        "custom:organization_id": str(settings.default_organization_id),
        "custom:role": "admin",
    }
    token = LocalTokens(signing_key(None, settings.secrets_dir)).issue_access(claims)
    answer = client.get("/v1/sessions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text


def _bad_keys() -> dict[str, str]:
    org = ports().settings.default_organization_id
    revoked = create_key(org, ("sessions:read",))
    assert delete(f"/v1/api-keys/{revoked['id']}", claims_for(org, Role.ADMIN)) == 204
    expired = create_key(org, ("sessions:read",))
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = %s",
            (uuid.UUID(expired["id"]),),
        )
    live = create_key(org, ("sessions:read",))
    return {
        "revoked key": revoked["key"],
        "expired key": expired["key"],
        "altered secret": live["key"][:-4]
        + ("AAAA" if not live["key"].endswith("AAAA") else "BBBB"),
        "unknown key": f"coach_{uuid.uuid4().hex}_{'x' * 43}",
        "malformed key": "coach_" + "0" * 10,
    }


def test_every_signed_in_route_refuses_bad_api_keys_with_401(client, platform):
    operations = _signed_in_operations(client)
    for kind, key in _bad_keys().items():
        for method, path in operations:
            answer = client.request(method, path, headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 401, (kind, method, path, answer.text)
            assert answer.json()["error"]["code"] == "COACH_401", (kind, method, path)
            assert answer.headers["www-authenticate"] == "Bearer"


def test_a_valid_api_key_gets_through(client, platform):
    key = create_key(ports().settings.default_organization_id, ("sessions:read",))["key"]
    answer = client.get("/v1/sessions", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("path", ["/health", "/openapi.json", "/docs"])
def test_health_and_docs_need_no_token(client, path):
    assert client.get(path).status_code == 200


def test_sign_in_needs_no_token(client):
    answer = client.post("/v1/auth/login", json={"email": "x@example.com", "password": "nope"})
    assert answer.status_code == 401
    assert "email or password" in answer.json()["error"]["message"]


def test_a_cors_preflight_needs_no_token(client):
    origin = ports().settings.web_origin
    answer = client.options(
        "/v1/sessions",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
    )
    assert answer.status_code in (200, 204), answer.text
    assert answer.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_gets_413_before_the_api_runs(client, chunked):
    payload = b"x" * (BODY_LIMIT + 1)
    content = iter([payload[:1000], payload[1000:]]) if chunked else payload
    answer = client.post("/v1/auth/login", content=content)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "COACH_413"
    assert "upload-url" in answer.json()["error"]["message"]


def _admin_token() -> str:
    settings = ports().settings
    claims = {
        "sub": str(uuid.uuid4()),
        "custom:organization_id": str(settings.default_organization_id),
        "custom:role": "admin",
    }
    return LocalTokens(signing_key(None, settings.secrets_dir)).issue_access(claims)


# As deep as the gateway's body limit here allows (coach serve's e2e test sends 100,000).
DEEP = "[" * 30_000 + "]" * 30_000


@pytest.mark.parametrize(
    ("path", "signed_in", "body"),
    [
        ("/v1/templates", True, DEEP),
        ("/v1/auth/login", False, DEEP),
        ("/v1/templates", True, '{"name": ' + "[" * 40 + "]" * 40 + "}"),
    ],
    ids=["signed in, 30,000 deep", "sign-in, 30,000 deep", "40 deep"],
)
def test_a_json_body_nested_too_deep_is_refused_with_422(client, capsys, path, signed_in, body):
    # Given a JSON body nested far deeper than any request of the API
    headers = {"Content-Type": "application/json"}
    if signed_in:
        headers["Authorization"] = f"Bearer {_admin_token()}"
    # When it is sent
    answer = client.post(path, content=body.encode(), headers=headers)
    # Then it is the caller's mistake, in the error shape, and nothing failed inside
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "COACH_422"
    assert error["details"]["fields"] == [
        {"field": "body", "problem": "The JSON is nested more than 32 levels deep."}
    ]
    assert "RecursionError" not in capsys.readouterr().out
