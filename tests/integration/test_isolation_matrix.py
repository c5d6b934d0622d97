"""Isolation across the whole API: every route of the OpenAPI document that names a resource
answers 404 when another organization's admin names this organization's real ids, and the
resources are untouched afterwards. New routes join the matrix by being in the document.
Socket pushes about a session reach exactly the users REST lets read that session."""

from __future__ import annotations

import re
import uuid

import pytest

from coaching.adapters.postgres import PostgresSocketConnections
from coaching.adapters.postgres.export_mappings import PostgresExportMappings
from coaching.adapters.postgres.export_queue import PostgresExportQueue
from coaching.adapters.postgres.export_schedules import PostgresExportSchedules
from coaching.api.identity import principal_from_claims
from coaching.api.scopes import SCOPE_NAMES, scopes_allow
from coaching.domain.identity import Role
from coaching.domain.session import SessionRecord
from coaching.ports.export_mappings import MappingRule, SavedMapping
from coaching.ports.export_runs import ExportRun
from coaching.ports.export_schedules import ExportSchedule
from coaching.usecases.session_push import SessionPush
from coaching.usecases.socket_connect import connect_socket
from tests.api_calls import claims_for, request
from tests.api_keys import create_key, key_context
from tests.gateway_sign_in import new_user
from tests.local_ports import ports
from tests.review_data import add_coach, other_organization, reviewed_session
from tests.samples import variant

pytestmark = pytest.mark.integration

# Bodies that pass validation, so the answer is about the resource, not the request. A new
# route whose body is required must be added here (the test says so).
VALID_BODIES = {
    ("PUT", "/v1/summaries/{summary_id}"): {
        "wins": [],
        "challenges": [],
        "action_items": [],
        "coach_recommendations": [],
        "expected_revision": 0,
    },
    ("PUT", "/v1/templates/{template_id}"): {
        "name": "Mine",
        "workshop_type": "group",
        "subject": "Thank you, {{ client_first_name }}",
        "content": "{{ greeting }} {{ client_first_name }},\n{{ sign_off }}\n",
    },
    ("POST", "/v1/summaries/{summary_id}/refine"): {"message": "shorter", "expected_revision": 0},
    ("PATCH", "/v1/organization"): {"mfa_required": False},
    ("PATCH", "/v1/users/{user_id}"): {"disabled": False},
    ("POST", "/v1/users"): {"email": "someone@example.com", "name": "Some One", "role": "coach"},
    ("POST", "/v1/account/password"): {
        "current_password": "not the password",
        "new_password": "a new long password",
    },
    ("PUT", "/v1/coach-profile"): {
        "name": "Maya Chen",
        "voice_profile": {},
        "notification_preferences": {},
    },
    ("POST", "/v1/sessions/upload-url"): {"file_name": "workshop.vtt"},
    ("POST", "/v1/api-keys"): {"name": "CRM push", "scopes": ["sessions:read"]},
    ("PATCH", "/v1/clients/{client_id}"): {"email": "client@example.org"},
    ("PUT", "/v1/clients/{client_id}"): {"name": "Renamed Client", "status": "active"},
    ("POST", "/v1/follow-ups/{follow_up_id}/schedule"): {"at": "2030-01-02T09:00:00+00:00"},
    ("PUT", "/v1/follow-ups/{follow_up_id}"): {"subject": "Thanks", "body": "Hi\n"},
    ("POST", "/v1/follow-ups/{follow_up_id}/render"): {"include_sensitive_items": False},
    ("POST", "/v1/search"): {"query": "delegation"},
    ("POST", "/v1/export/schedule"): {"cron": "0 6 * * 1", "format": "csv"},
    ("PATCH", "/v1/export/schedules/{schedule_id}"): {"enabled": False},
    ("POST", "/v1/export/mappings"): {"name": "warehouse", "entities": [{"entity": "sessions"}]},
    ("PUT", "/v1/export/mappings/{mapping_name}"): {"entities": [{"entity": "sessions"}]},
    **{("POST", f"/v1/export/{kind}"): {} for kind in ("json", "jsonl", "csv", "parquet")},
}
VALID_BODIES[("POST", "/v1/templates")] = VALID_BODIES[("PUT", "/v1/templates/{template_id}")]


# Open to all: sign-in, and the unsubscribe link, whose signed token is the proof (not an
# organization's id; its forgeries are refused in test_follow_up_sending.py).
OPEN_TO_ALL = ("/v1/auth/", "/v1/unsubscribe/")


def body_for(method: str, path: str, owned: dict):
    if (method, path) == ("POST", "/v1/follow-ups/preview"):
        return {"summary_id": owned["summary_id"]}
    if (method, path) == ("POST", "/v1/clients/{client_id}/merge"):
        return {"other_client_id": owned["other_client_id"]}
    if (method, path) == ("POST", "/v1/follow-ups/batch"):
        return {"session_id": owned["session_id"]}
    if (method, path) == ("POST", "/v1/search/similar"):
        return {"session_id": owned["session_id"], "turn_index": 0}
    return VALID_BODIES.get((method, path))


@pytest.fixture
def owned(platform, organization):
    """Real ids of one organization: session, summary, follow-up, template, client, run."""
    review = reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))
    coach = review.claims()
    admin = claims_for(organization, Role.ADMIN)
    summary = next(iter(review.summaries().values()))
    status, approved = request("POST", f"/v1/summaries/{summary['id']}/approve", coach)
    assert status == 200, approved
    _, templates = request("GET", "/v1/templates", coach)
    system = next(t for t in templates["items"] if t.get("is_default") or t.get("system"))
    status, copied = request("POST", f"/v1/templates/{system['id']}/copy", coach)
    assert status in (200, 201), copied
    _, clients = request("GET", "/v1/clients", admin)
    session = platform.deps.sessions.get_session(organization, review.session_id)
    key = create_key(organization, ("sessions:read",), admin)
    user_id = new_user(organization)[1]  # with an authenticator, which must stay
    ports().accounts.update_user(
        organization, user_id, mfa_secret="JBSWY3DPEHPK3PXP", mfa_enabled=True
    )
    return {
        "user_id": str(user_id),
        "session_id": str(review.session_id),
        "summary_id": summary["id"],
        "follow_up_id": approved["follow_up"]["id"],
        "template_id": copied["id"],
        "client_id": clients["items"][0]["id"],
        "other_client_id": clients["items"][1]["id"],
        "name": session.execution_name,
        "api_key_id": key["id"],
        **_export_job_and_schedule(organization),
        "_admin": admin,
        "_key": key["key"],
    }


def _export_job_and_schedule(org: uuid.UUID) -> dict[str, str]:
    """A queued export job (never started), an export schedule and a saved mapping."""
    actor = f"user:{uuid.uuid4()}"
    run = ExportRun(uuid.uuid4(), org, actor, "csv", "queued", options={"coach_ids": None})
    PostgresExportQueue(ports().database).enqueue(run, one_at_a_time=False)
    schedule = ExportSchedule(uuid.uuid4(), org, actor, "0 6 * * 1", "UTC", "csv")
    PostgresExportSchedules(ports().database).create(schedule, most_per_organization=100)
    mapping = SavedMapping("warehouse", (MappingRule("sessions", {}, ("format",)),), actor)
    PostgresExportMappings(ports().database).save(org, mapping)
    return {"job_id": str(run.id), "schedule_id": str(schedule.id), "mapping_name": mapping.name}


def _operations_with_ids(document: dict) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, methods in document["paths"].items()
        if "{" in path and not path.startswith(OPEN_TO_ALL)
        for method in methods
    ]


def _requires_body(document: dict, method: str, path: str) -> bool:
    body = document["paths"][path][method.lower()].get("requestBody")
    return bool(body and body.get("required"))


def test_another_organization_gets_404_on_every_route_that_names_a_resource(platform, owned):
    _, document = request("GET", "/openapi.json", None)
    operations = _operations_with_ids(document)
    assert len(operations) >= 15, operations
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    # Deleting routes last, so every other route still finds its resource in its owner's org.
    operations.sort(key=lambda op: op[0] == "DELETE")
    for method, path in operations:
        names = re.findall(r"{(\w+)}", path)
        missing = [name for name in names if name not in owned]
        assert not missing, f"{method} {path}: add an owned id for {missing} to the fixture"
        concrete = path.format(**{name: owned[name] for name in names})
        body = body_for(method, path, owned)
        if body is None:
            assert not _requires_body(document, method, path), (
                f"{method} {path} needs a body: add a valid one to VALID_BODIES"
            )
        status, answer = request(method, concrete, outsider, body=body)
        assert status == 404, (method, path, status, answer)
        assert answer["error"]["code"] == "COACH_404"
    # Nothing of the owner changed.
    admin = owned["_admin"]
    assert request("GET", "/v1/sessions", key_context(owned["_key"]))[0] == 200
    for path in (
        f"/v1/export/jobs/{owned['job_id']}",
        f"/v1/export/mappings/{owned['mapping_name']}",
        f"/v1/sessions/{owned['session_id']}",
        f"/v1/summaries/{owned['summary_id']}",
        f"/v1/templates/{owned['template_id']}",
        f"/v1/clients/{owned['client_id']}",
        f"/v1/follow-ups/{owned['follow_up_id']}",
        f"/v1/clients/{owned['client_id']}/access-log",
    ):
        status, _ = request("GET", path, admin)
        assert status == 200, path
    org = uuid.UUID(admin["custom:organization_id"])
    assert ports().accounts.user(org, uuid.UUID(owned["user_id"])).mfa_enabled


def test_another_organizations_api_key_gets_404_in_its_scopes_and_403_outside(platform, owned):
    # Given a key of another organization with every scope
    _, document = request("GET", "/openapi.json", None)
    outsider = key_context(create_key(other_organization(platform), SCOPE_NAMES)["key"])
    found = refused = 0
    for method, path in _operations_with_ids(document):
        names = re.findall(r"{(\w+)}", path)
        concrete = path.format(**{name: owned[name] for name in names})
        body = body_for(method, path, owned)
        status, answer = request(method, concrete, outsider, body=body)
        # Then every resource of this organization is missing to it, where its scopes reach,
        # and every other route is refused
        expected = 404 if scopes_allow(SCOPE_NAMES, method, concrete) else 403
        assert status == expected, (method, path, status, answer)
        found += expected == 404
        refused += expected == 403
    assert found >= 6 and refused >= 10, (found, refused)


# Who may use which routes, by path prefix; everything else under /v1 is client data.
SUPPORT_ROUTES = ("/v1/executions",)
ADMIN_ROUTES = ("/v1/organization", "/v1/audit-log", "/v1/api-keys", "/v1/users")
# Every person's own: their account (an API key is refused there).
EVERY_PERSON_ROUTES = ("/v1/account/",)
# Admin-only routes under a prefix other roles may use.
ADMIN_PATHS = {"/v1/clients/{client_id}/access-log"}


def test_each_role_is_refused_with_403_outside_its_routes(platform, owned):
    _, document = request("GET", "/openapi.json", None)
    org = claims_for(owned["_admin"]["custom:organization_id"], Role.ADMIN)
    org_id = org["custom:organization_id"]
    support = claims_for(org_id, Role.SUPPORT)
    coach = claims_for(org_id, Role.COACH, coach_id=add_coach(org_id, "Another Coach"))
    checked = 0
    for path, methods in document["paths"].items():
        if not path.startswith("/v1/") or path.startswith((*OPEN_TO_ALL, *EVERY_PERSON_ROUTES)):
            continue
        names = re.findall(r"{(\w+)}", path)
        concrete = path.format(**{name: owned[name] for name in names})
        for method in methods:
            body = body_for(method.upper(), path, owned)
            refused = []
            if path.startswith(SUPPORT_ROUTES):
                refused.append(coach)
            else:
                refused.append(support)
                if path.startswith(ADMIN_ROUTES) or path in ADMIN_PATHS:
                    refused.append(coach)
            for claims in refused:
                status, answer = request(method.upper(), concrete, claims, body=body)
                assert status == 403, (claims["custom:role"], method, path, status, answer)
                checked += 1
    assert checked >= 30


def test_an_api_key_is_refused_with_403_on_every_route_its_scopes_do_not_name(platform, owned):
    # Given a key of this organization with every scope there is
    _, document = request("GET", "/openapi.json", None)
    org_id = owned["_admin"]["custom:organization_id"]
    key = key_context(create_key(org_id, SCOPE_NAMES)["key"])
    checked = 0
    for path, methods in document["paths"].items():
        if not path.startswith("/v1/") or path.startswith(OPEN_TO_ALL):
            continue
        names = re.findall(r"{(\w+)}", path)
        concrete = path.format(**{name: owned[name] for name in names})
        for method in methods:
            if scopes_allow(SCOPE_NAMES, method, concrete):
                continue
            # Then every other route, admin routes and the keys themselves included, is 403
            body = body_for(method.upper(), path, owned)
            status, answer = request(method.upper(), concrete, key, body=body)
            assert status == 403, (method, path, status, answer)
            checked += 1
    assert checked >= 20


# -- search answers only what REST lets read --------------------------------------------------
def _found_sessions(claims, query="delegation") -> set[str]:
    status, answer = request("POST", "/v1/search", claims, body={"query": query, "limit": 50})
    assert status == 200, answer
    return {r["session_id"] for r in answer["results"]}


@pytest.fixture
def team_sessions(platform, organization):
    """A lead with coach A on their team, coach B, and the workshop as a session of each."""
    lead = add_coach(organization, "Lee Lead")
    coach_a = add_coach(organization, "Maya Chen", lead_coach_id=lead)
    coach_b = add_coach(organization, "Ravi Shah")
    return {
        "lead": lead,
        "a": reviewed_session(platform, organization, coach_a, content=variant("a")),
        "b": reviewed_session(platform, organization, coach_b, content=variant("b")),
    }


def test_search_finds_exactly_the_sessions_each_caller_may_read(organization, team_sessions):
    of_a, of_b = team_sessions["a"], team_sessions["b"]
    a, b = str(of_a.session_id), str(of_b.session_id)
    lead = claims_for(organization, Role.COACH_LEAD, coach_id=team_sessions["lead"])
    # Then each finds exactly the sessions REST lets them read
    assert _found_sessions(of_a.claims()) == {a}
    assert _found_sessions(of_b.claims()) == {b}
    assert _found_sessions(lead) == {a}
    assert _found_sessions(claims_for(organization, Role.ADMIN)) == {a, b}
    assert _found_sessions(claims_for(organization, Role.COACH)) == set()  # no coach record
    # And a coach asking for another coach's sessions by id gets none of them
    body = {"query": "delegation", "filters": {"coach_ids": [str(of_a.coach_id)]}}
    status, answer = request("POST", "/v1/search", of_b.claims(), body=body)
    assert status == 200 and answer["results"] == []
    # And "more like this" of a session they may not see is missing to them
    similar = {"session_id": a, "turn_index": 1}
    assert request("POST", "/v1/search/similar", of_b.claims(), body=similar)[0] == 404
    assert request("POST", "/v1/search/similar", of_a.claims(), body=similar)[0] == 200
    # And suggestions name only the coaches they may see
    _, for_b = request("GET", "/v1/search/suggest", of_b.claims(), query={"q": "maya"})
    assert not [s for s in for_b["suggestions"] if s["kind"] == "coach"]
    # And support may not search at all
    support = claims_for(organization, Role.SUPPORT)
    assert request("POST", "/v1/search", support, body={"query": "delegation"})[0] == 403


def test_another_organization_searching_with_this_ones_ids_finds_nothing(
    platform, organization, team_sessions
):
    of_a, of_b = team_sessions["a"], team_sessions["b"]
    other = other_organization(platform)
    other_admin = claims_for(other, Role.ADMIN)
    _, listed = request("GET", "/v1/clients", claims_for(organization, Role.ADMIN))
    clients = [client["id"] for client in listed["items"]]
    assert clients
    body = {
        "query": "delegation",
        "filters": {"coach_ids": [str(of_a.coach_id), str(of_b.coach_id)], "client_ids": clients},
    }
    status, answer = request("POST", "/v1/search", other_admin, body=body)
    assert status == 200 and answer["results"] == [], answer
    assert answer["filters"]["client_names"] == [] and answer["filters"]["coach_names"] == []
    assert _found_sessions(key_context(create_key(other, ("sessions:read",))["key"])) == set()
    similar = {"session_id": str(of_a.session_id), "turn_index": 1}
    assert request("POST", "/v1/search/similar", other_admin, body=similar)[0] == 404
    _, suggested = request("GET", "/v1/search/suggest", other_admin, query={"q": ""})
    assert suggested["suggestions"] == []


# -- socket pushes follow the same rule -----------------------------------------------------
class RecordingSender:
    """The @connections API, recording who would have got each message."""

    def __init__(self) -> None:
        self.reached: set[str] = set()

    def send(self, connection_ids: list[str], message: dict) -> int:
        self.reached.update(connection_ids)
        return len(connection_ids)


def _session_of(platform, org, coach_id) -> uuid.UUID:
    session_id = uuid.uuid4()
    platform.deps.sessions.create_session(
        org,
        SessionRecord(
            id=session_id,
            organization_id=org,
            coach_id=coach_id,
            source_name="matrix.vtt",
            transcript_key=f"transcripts/{org}/{session_id}/matrix.vtt",
            content_sha256=session_id.hex * 2,
            processing_status="completed",
        ),
    )
    return session_id


def test_socket_pushes_reach_exactly_the_users_rest_lets_see_the_session(platform, organization):
    # Given a lead with coach A on their team, coach B, and a session of each (and of nobody)
    lead = add_coach(organization, "Lee Lead")
    coach_a = add_coach(organization, "Maya Chen", lead_coach_id=lead)
    coach_b = add_coach(organization, "Ravi Shah")
    sessions = {
        "A": (coach_a, _session_of(platform, organization, coach_a)),
        "B": (coach_b, _session_of(platform, organization, coach_b)),
        "lead": (lead, _session_of(platform, organization, lead)),
        "nobody": (None, _session_of(platform, organization, None)),
    }
    # And open sockets of every role, and of another organization's admin
    other = other_organization(platform)
    users = {
        "coach A": claims_for(organization, Role.COACH, coach_id=coach_a),
        "coach B": claims_for(organization, Role.COACH, coach_id=coach_b),
        "lead": claims_for(organization, Role.COACH_LEAD, coach_id=lead),
        "admin": claims_for(organization, Role.ADMIN),
        "support": claims_for(organization, Role.SUPPORT),
        "coach without a record": claims_for(organization, Role.COACH),
        "other organization's admin": claims_for(other, Role.ADMIN),
    }
    connections = PostgresSocketConnections(ports().database)
    for name, claims in users.items():
        connect_socket(connections, ports().organizations, principal_from_claims(claims), name)
    try:
        checked = 0
        for label, (coach_id, session_id) in sessions.items():
            # When that session's news is pushed
            sender = RecordingSender()
            SessionPush(connections, ports().directory, sender).push(
                organization, coach_id, {"type": "session_ready", "session_id": str(session_id)}
            )
            # Then a socket got it exactly when its user may read the session over REST
            for name, claims in users.items():
                status, _ = request("GET", f"/v1/sessions/{session_id}", claims)
                assert status in (200, 403, 404), (label, name, status)
                assert (name in sender.reached) == (status == 200), (label, name, status)
                checked += 1
            assert "admin" in sender.reached and "support" not in sender.reached
        assert checked == len(sessions) * len(users)
    finally:
        for name in users:
            connections.remove(name)
