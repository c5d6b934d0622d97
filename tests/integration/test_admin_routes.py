"""Organization settings and the audit log: admins only, each organization its own."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.identity import Role
from tests.api_calls import claims_for, request

pytestmark = pytest.mark.integration


@pytest.fixture
def admin(organization):
    return claims_for(organization, Role.ADMIN)


def test_an_admin_reads_and_changes_the_settings_and_the_change_is_audited(admin, organization):
    status, body = request("GET", "/v1/organization", admin)
    assert status == 200
    # A new organization keeps its data seven years (issue 9: the seed's HIPAA figure).
    assert body == {
        "id": str(organization),
        # New organizations require MFA (issue 9): coaching data is health data.
        "settings": {"mfa_required": True, "retention_days": 2557},
    }
    status, body = request(
        "PATCH", "/v1/organization", admin, body={"mfa_required": True, "retention_days": 365}
    )
    assert status == 200
    assert body["settings"] == {"mfa_required": True, "retention_days": 365}
    # Only what is sent changes; null removes a setting.
    status, body = request("PATCH", "/v1/organization", admin, body={"retention_days": None})
    assert body["settings"] == {"mfa_required": True, "retention_days": None}

    status, log = request("GET", "/v1/audit-log", admin, query={"resource_type": "organization"})
    assert status == 200
    assert [e["action"] for e in log["items"]] == ["update", "update"]
    newest = log["items"][0]
    assert newest["actor"] == f"user:{admin['sub']}"
    assert newest["resource_id"] == str(organization)
    assert newest["source"] == "203.0.113.10"  # the caller's address, from API Gateway
    assert newest["details"] == {"changed": ["retention_days"]}


@pytest.mark.parametrize("role", [Role.COACH, Role.COACH_LEAD, Role.SUPPORT])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/organization", None),
        ("PATCH", "/v1/organization", {"mfa_required": True}),
        ("GET", "/v1/audit-log", None),
    ],
)
def test_other_roles_may_not(organization, role, method, path, body):
    status, answer = request(method, path, claims_for(organization, role), body=body)
    assert status == 403
    assert answer["error"]["code"] == "COACH_403"


@pytest.mark.parametrize(
    "body", [{"retention_days": 0}, {"retention_days": "forever"}, {"mfa_required": "maybe"}]
)
def test_invalid_settings_list_the_field(admin, body):
    status, answer = request("PATCH", "/v1/organization", admin, body=body)
    assert status == 422
    fields = [f["field"] for f in answer["error"]["details"]["fields"]]
    assert any(next(iter(body)) in field for field in fields)


def test_each_organization_sees_only_its_own_audit_log(platform, admin):
    request("PATCH", "/v1/organization", admin, body={"mfa_required": False})
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, "another practice")
    status, log = request("GET", "/v1/audit-log", claims_for(other, Role.ADMIN))
    assert status == 200 and log["items"] == []
    status, mine = request("GET", "/v1/audit-log", admin)
    assert len(mine["items"]) == 1


def test_the_audit_log_pages_backwards_in_time(admin):
    for value in (True, False, True):
        request("PATCH", "/v1/organization", admin, body={"mfa_required": value})
    status, page = request("GET", "/v1/audit-log", admin, query={"limit": "2"})
    assert status == 200 and len(page["items"]) == 2 and page["next_before"]
    status, rest = request(
        "GET", "/v1/audit-log", admin, query={"limit": "2", "before": page["next_before"]}
    )
    assert len(rest["items"]) == 1
