"""Service-to-service API keys through the local gateway (the stand-in for API Gateway and
its API key authorizer): created by admins and shown once, stored as a digest, scoped to a
few routes and one organization, revocable, expiring, rate-limited and audited."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coaching.api.scopes import SCOPE_NAMES
from coaching.domain.identity import Role
from local_runtime.authorizer import LocalAuthorizer, api_key_verifier
from local_runtime.gateway import proxy_endpoint
from local_runtime.server import API_EXCEPTION_HANDLERS, api_routes
from tests.api_calls import claims_for, delete, request
from tests.api_keys import create_key
from tests.local_ports import api_handler, ports, settings_changed
from tests.review_data import add_coach, other_organization, reviewed_session

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def gateway(platform):
    authorizer = LocalAuthorizer(
        ports().identity_provider.verify, verify_key=api_key_verifier(ports().api_keys)
    )
    endpoint = proxy_endpoint(api_handler, authorizer, 1024 * 1024)
    app = Starlette(routes=api_routes(endpoint), exception_handlers=API_EXCEPTION_HANDLERS)
    with TestClient(app) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def session(platform, organization):
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


def test_an_admin_creates_a_key_that_is_shown_once_and_never_listed(organization):
    # Given an admin creating a key
    admin = claims_for(organization, Role.ADMIN)
    created = create_key(organization, ("sessions:read", "clients:read"), admin)

    # Then the answer carries the full key once, in the documented form
    key_id = uuid.UUID(created["id"])
    assert created["key"].startswith(f"coach_{key_id.hex}_")
    assert created["prefix"] == f"coach_{key_id.hex}_"
    assert created["scopes"] == ["clients:read", "sessions:read"]
    assert created["created_by"] == f"user:{admin['sub']}"
    secret = created["key"].removeprefix(created["prefix"])

    # And the listing names the key by its prefix, never with its secret
    status, listing = request("GET", "/v1/api-keys", admin)
    assert status == 200
    (item,) = listing["items"]
    assert item["id"] == created["id"] and "key" not in item
    assert secret not in json.dumps(listing)


def test_the_key_is_stored_as_a_digest_of_its_secret(organization):
    created = create_key(organization, ("sessions:read",))
    secret = created["key"].removeprefix(created["prefix"])
    with ports().database.transaction(organization) as conn:
        row = conn.execute(
            "SELECT * FROM api_keys WHERE id = %s", (uuid.UUID(created["id"]),)
        ).fetchone()
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())


def test_a_key_reads_the_routes_of_its_scopes_and_nothing_else(gateway, organization, session):
    key = create_key(organization, ("sessions:read",))["key"]

    # In scope: the organization's sessions, as an admin would see them
    listing = gateway.get("/v1/sessions", headers=bearer(key))
    assert listing.status_code == 200, listing.text
    assert str(session.session_id) in {s["session_id"] for s in listing.json()["items"]}
    one = gateway.get(f"/v1/sessions/{session.session_id}", headers=bearer(key))
    assert one.status_code == 200, one.text

    # Out of scope: another kind of data, a change, a deletion
    for method, path, body in (
        ("GET", "/v1/clients", None),
        ("GET", "/v1/coach-profile", None),
        ("DELETE", f"/v1/sessions/{session.session_id}", None),
        ("POST", "/v1/sessions/upload-url", {"file_name": "workshop.vtt"}),
    ):
        answer = gateway.request(method, path, headers=bearer(key), json=body)
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "COACH_403"
    assert gateway.get(f"/v1/sessions/{session.session_id}", headers=bearer(key)).status_code == 200


def test_no_scope_reaches_the_admin_routes_or_the_keys_themselves(gateway, organization):
    key = create_key(organization, SCOPE_NAMES)["key"]
    for method, path, body in (
        ("GET", "/v1/organization", None),
        ("PATCH", "/v1/organization", {"mfa_required": False}),
        ("GET", "/v1/audit-log", None),
        ("GET", "/v1/api-keys", None),
        ("POST", "/v1/api-keys", {"name": "another", "scopes": ["sessions:read"]}),
        ("DELETE", f"/v1/api-keys/{uuid.uuid4()}", None),
        ("DELETE", f"/v1/clients/{uuid.uuid4()}", None),
    ):
        answer = gateway.request(method, path, headers=bearer(key), json=body)
        assert answer.status_code == 403, (method, path, answer.text)


def test_no_scope_sends_approves_or_refines_anything(gateway, organization):
    # The review gate belongs to coaches: an integration never emails a client.
    key = create_key(organization, SCOPE_NAMES)["key"]
    some = uuid.uuid4()
    for method, path, body in (
        ("POST", f"/v1/follow-ups/{some}/send", None),
        ("POST", f"/v1/follow-ups/{some}/schedule", {"at": "2030-01-02T09:00+00:00"}),
        ("POST", "/v1/follow-ups/batch", {"session_id": str(some)}),
        ("PUT", f"/v1/follow-ups/{some}", {"subject": "s", "body": "b"}),
        ("POST", f"/v1/summaries/{some}/approve", None),
        ("POST", f"/v1/summaries/{some}/refine", {"message": "shorter"}),
    ):
        answer = gateway.request(method, path, headers=bearer(key), json=body)
        assert answer.status_code == 403, (method, path, answer.text)


def test_a_clients_write_key_keeps_contact_details_in_step(gateway, organization, session):
    admin = claims_for(organization, Role.ADMIN)
    _, listing = request("GET", "/v1/clients", admin)
    client = listing["items"][0]
    change = {"name": client["name"], "status": "active", "email": "client@example.org"}
    reader = create_key(organization, ("clients:read",))["key"]
    writer = create_key(organization, ("clients:write",))["key"]
    path = f"/v1/clients/{client['id']}"

    # A read-only key may not change a record; a clients:write key may
    assert gateway.put(path, headers=bearer(reader), json=change).status_code == 403
    answer = gateway.put(path, headers=bearer(writer), json=change)
    assert answer.status_code == 200, answer.text
    assert answer.json()["email"] == "client@example.org"


@pytest.mark.parametrize("role", [Role.COACH, Role.COACH_LEAD, Role.SUPPORT])
def test_only_admins_create_list_or_revoke_keys(organization, role):
    caller = claims_for(organization, role, coach_id=add_coach(organization, "Some Coach"))
    key_id = create_key(organization, ("sessions:read",))["id"]
    body = {"name": "mine", "scopes": ["sessions:read"]}
    assert request("POST", "/v1/api-keys", caller, body=body)[0] == 403
    assert request("GET", "/v1/api-keys", caller)[0] == 403
    assert delete(f"/v1/api-keys/{key_id}", caller) == 403


def test_a_revoked_key_stops_working_at_once(gateway, organization):
    admin = claims_for(organization, Role.ADMIN)
    created = create_key(organization, ("sessions:read",))
    assert gateway.get("/v1/sessions", headers=bearer(created["key"])).status_code == 200

    assert delete(f"/v1/api-keys/{created['id']}", admin) == 204
    answer = gateway.get("/v1/sessions", headers=bearer(created["key"]))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "COACH_401"
    (listed,) = request("GET", "/v1/api-keys", admin)[1]["items"]
    assert listed["revoked_at"] is not None


def test_an_expired_key_is_refused(gateway, organization):
    created = create_key(organization, ("sessions:read",), expires_at="2999-01-01T00:00:00Z")
    assert gateway.get("/v1/sessions", headers=bearer(created["key"])).status_code == 200
    with ports().database.transaction(organization) as conn:
        conn.execute(
            "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = %s",
            (uuid.UUID(created["id"]),),
        )
    assert gateway.get("/v1/sessions", headers=bearer(created["key"])).status_code == 401


def test_an_expiry_in_the_past_is_refused_at_creation(organization):
    admin = claims_for(organization, Role.ADMIN)
    body = {"name": "late", "scopes": ["sessions:read"], "expires_at": "2001-01-01T00:00:00Z"}
    status, answer = request("POST", "/v1/api-keys", admin, body=body)
    assert status == 422, answer
    assert "expires_at" in json.dumps(answer["error"]["details"])


def test_unknown_scopes_are_refused(organization):
    admin = claims_for(organization, Role.ADMIN)
    status, answer = request(
        "POST", "/v1/api-keys", admin, body={"name": "x", "scopes": ["audit-log:read"]}
    )
    assert status == 422, answer


def test_a_key_of_another_organization_finds_nothing_here(gateway, platform, session):
    outsider = create_key(other_organization(platform), SCOPE_NAMES)["key"]
    answer = gateway.get(f"/v1/sessions/{session.session_id}", headers=bearer(outsider))
    assert answer.status_code == 404, answer.text
    listing = gateway.get("/v1/sessions", headers=bearer(outsider))
    assert str(session.session_id) not in listing.text


def test_an_admin_cannot_revoke_another_organizations_key(platform, organization):
    theirs = create_key(other_organization(platform), ("sessions:read",))
    admin = claims_for(organization, Role.ADMIN)
    assert delete(f"/v1/api-keys/{theirs['id']}", admin) == 404


def test_a_key_over_its_budget_gets_429(gateway, organization):
    key = create_key(organization, ("sessions:read",))["key"]
    with settings_changed(api_key_rate_limit_per_minute=2):
        statuses = [gateway.get("/v1/sessions", headers=bearer(key)).status_code for _ in range(3)]
        # People keep their own budget, apart from the key's
        person = gateway.get("/v1/sessions", headers=bearer(key))
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429
    assert person.status_code == 429 and int(person.headers["retry-after"]) >= 1


def test_every_use_of_a_key_is_audited_under_its_id(gateway, organization, session):
    admin = claims_for(organization, Role.ADMIN)
    created = create_key(organization, ("sessions:read",), admin)
    key, actor = created["key"], f"api-key:{created['id']}"
    gateway.get(f"/v1/sessions/{session.session_id}", headers=bearer(key))
    gateway.get("/v1/clients", headers=bearer(key))  # refused: audited all the same

    status, log = request("GET", "/v1/audit-log", admin, query={"actor": actor})
    assert status == 200
    uses = [e for e in log["items"] if e["action"] == "use"]
    assert [(u["details"]["route"], u["details"]["in_scope"]) for u in uses] == [
        ("/v1/clients", False),
        ("/v1/sessions/{id}", True),
    ]
    assert all(u["resource_id"] == created["id"] for u in uses)
    # And the route's own record of the read names the key too
    reads = [e for e in log["items"] if e["action"] == "read" and e["resource_type"] == "session"]
    assert [r["resource_id"] for r in reads] == [str(session.session_id)]
    # The key's creation is audited under the admin who made it
    status, made = request("GET", "/v1/audit-log", admin, query={"resource_id": created["id"]})
    assert ("create", f"user:{admin['sub']}") in {(e["action"], e["actor"]) for e in made["items"]}


def test_a_token_cannot_claim_the_service_role(organization):
    forged_role = claims_for(organization, Role.ADMIN)
    forged_role["custom:role"] = "service"
    status, answer = request("GET", "/v1/sessions", forged_role)
    assert status == 401, answer


@pytest.mark.parametrize(
    "presented",
    [
        "coach_",
        "coach_notanid_x",
        f"coach_{uuid.uuid4().hex}_{'A' * 43}",  # no such key
    ],
)
def test_malformed_or_unknown_keys_get_401(gateway, presented):
    answer = gateway.get("/v1/sessions", headers=bearer(presented))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_a_key_with_a_wrong_secret_gets_401(gateway, organization):
    created = create_key(organization, ("sessions:read",))
    wrong = created["prefix"] + "B" * 43
    assert gateway.get("/v1/sessions", headers=bearer(wrong)).status_code == 401
    assert gateway.get("/v1/sessions", headers=bearer(created["key"])).status_code == 200


def test_a_key_cannot_open_a_socket(organization):
    from starlette.requests import HTTPConnection

    from coaching.domain.errors import Unauthenticated

    key = create_key(organization, SCOPE_NAMES)["key"]
    socket = HTTPConnection(
        {"type": "websocket", "path": "/ws", "query_string": f"token={key}".encode(), "headers": []}
    )
    authorizer = LocalAuthorizer(
        ports().identity_provider.verify, verify_key=api_key_verifier(ports().api_keys)
    )
    with pytest.raises(Unauthenticated):
        authorizer(socket)
