"""Follow-up templates over the API: system defaults read-only, the organization's own CRUD."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.identity import Role
from coaching.usecases.render_budget import LIMITS, observed_budgets
from tests.api_calls import claims_for, delete, request
from tests.hostile_templates import HOSTILE, Hostile
from tests.review_data import (
    add_coach,
    assert_error,
    audit_trail,
    other_organization,
    problem_fields,
)

pytestmark = pytest.mark.integration

GROUP_DEFAULT = "6c1f0a52-9d1e-4c57-9a43-2f0e1b7d0001"
ONE_TO_ONE_DEFAULT = "6c1f0a52-9d1e-4c57-9a43-2f0e1b7d0002"


def _template(**changes) -> dict:
    return {
        "name": "Short and warm",
        "workshop_type": "group",
        "subject": "Thank you, {{ client_first_name }}",
        "content": "{{ greeting }} {{ client_first_name }},\n"
        "{% for win in wins %}- {{ win }}\n{% endfor %}\n{{ sign_off }},\n{{ signature }}\n",
        **changes,
    }


@pytest.fixture
def coach(organization) -> dict[str, str]:
    return claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Maya Chen"))


def _create(claims: dict, **changes) -> dict:
    status, body = request("POST", "/v1/templates", claims, body=_template(**changes))
    assert status == 201, body
    return body


def test_the_list_has_the_read_only_system_defaults_and_the_variables(coach):
    status, body = request("GET", "/v1/templates", coach)
    assert status == 200
    defaults = {t["id"]: t for t in body["items"] if t["system"]}
    assert set(defaults) == {GROUP_DEFAULT, ONE_TO_ONE_DEFAULT}
    group = defaults[GROUP_DEFAULT]
    assert group["read_only"] and group["is_default"] and group["organization_id"] is None
    assert group["workshop_type"] == "group" and group["type"] == "follow_up"
    assert "wins" in group["variables"] and "{{ sign_off }}" in group["content"]
    assert {"client_name", "coach_name", "session_date", "action_items"} <= set(body["variables"])


def test_a_coach_creates_reads_changes_and_deletes_a_template(coach, organization):
    # Create: 201, owned by the organization and the coach, its variables listed
    created = _create(coach)
    assert created["organization_id"] == str(organization)
    assert created["coach_id"] == coach["custom:coach_id"]
    assert created["system"] is False and created["is_default"] is False
    assert created["variables"] == [
        "client_first_name",
        "greeting",
        "sign_off",
        "signature",
        "wins",
    ]
    path = f"/v1/templates/{created['id']}"
    # Read it, alone and in the list
    assert request("GET", path, coach) == (200, created)
    _, listed = request("GET", "/v1/templates", coach)
    assert created["id"] in [t["id"] for t in listed["items"]]
    # Change it
    status, updated = request("PUT", path, coach, body=_template(name="Shorter"))
    assert status == 200
    assert updated["name"] == "Shorter" and updated["updated_at"]
    # Delete it: 204, then it is gone
    assert delete(path, coach) == 204
    assert request("GET", path, coach)[0] == 404
    assert [a[0] for a in audit_trail(organization, "template", created["id"])] == [
        "create",
        "update",
        "delete",
    ]


def test_unknown_variables_are_refused_with_their_names(coach):
    status, body = request(
        "POST",
        "/v1/templates",
        coach,
        body=_template(content="Hi {{ client_nme }}, {{ diagnosis }}", subject="{{ oops }}"),
    )
    assert status == 422
    fields = problem_fields(body)
    assert "unknown variables: client_nme, diagnosis" in fields["body.content"]
    assert "unknown variables: oops" in fields["body.subject"]
    assert "client_name" in fields["body.content"]  # what is allowed is said too


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content": "{{ client_name.__class__.__mro__ }}"}, "body.content"),
        ({"content": "{{ wins.append('x') }}"}, "body.content"),
        ({"content": "{% for %}"}, "body.content"),
        ({"content": "{{ wins[0] }}"}, "body.content"),
        ({"name": ""}, "body.name"),
        ({"subject": ""}, "body.subject"),
        ({"workshop_type": "retreat"}, "body.workshop_type"),
        ({"type": "sms"}, "body.type"),
        ({"colour": "blue"}, "body.colour"),
    ],
)
def test_a_template_that_cannot_render_safely_is_refused(coach, changes, field):
    status, body = request("POST", "/v1/templates", coach, body=_template(**changes))
    assert status == 422
    assert field in problem_fields(body)


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda hostile: hostile.name)
def test_a_template_that_would_stall_the_platform_is_refused_with_the_reason(
    coach, hostile: Hostile
):
    # When a coach saves a template written to stall the platform
    with observed_budgets() as budgets:
        status, body = request(
            "POST", "/v1/templates", coach, body=_template(content=hostile.source)
        )
    # Then it is refused as invalid content (not a 500), saying why
    assert status == 422, body
    assert hostile.reason in problem_fields(body)["body.content"]
    # after a bounded amount of work
    assert all(b.steps <= LIMITS.steps and b.characters <= LIMITS.characters for b in budgets)


def test_changing_a_template_into_a_hostile_one_is_refused_and_changes_nothing(coach):
    created = _create(coach)
    path = f"/v1/templates/{created['id']}"
    stalling = _template(
        subject="{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}"
    )
    status, body = request("PUT", path, coach, body=stalling)
    assert status == 422
    assert "steps" in problem_fields(body)["body.subject"]
    assert request("GET", path, coach)[1] == created


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_system_defaults_cannot_be_changed_only_copied(coach, method):
    body = _template() if method == "PUT" else None
    status, answer = request(method, f"/v1/templates/{GROUP_DEFAULT}", coach, body=body)
    assert status == 403
    assert "Copy it" in assert_error(answer, "COACH_403")["message"]
    assert request("GET", f"/v1/templates/{GROUP_DEFAULT}", coach)[1]["name"] == (
        "Group workshop follow-up"
    )


def test_a_copy_of_a_default_belongs_to_the_organization_and_can_change(coach, organization):
    status, copy = request("POST", f"/v1/templates/{GROUP_DEFAULT}/copy", coach)
    assert status == 201
    assert copy["organization_id"] == str(organization) and copy["system"] is False
    assert copy["name"] == "Group workshop follow-up (copy)" and copy["is_default"] is False
    status, changed = request(
        "PUT", f"/v1/templates/{copy['id']}", coach, body=_template(name="Ours")
    )
    assert status == 200 and changed["name"] == "Ours"
    assert audit_trail(organization, "template", copy["id"])[0] == (
        "create",
        copy["id"],
        {"copied_from": GROUP_DEFAULT},
    )


def test_a_coach_changes_only_their_own_templates_a_lead_any(coach, organization):
    created = _create(coach)
    colleague = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Sam"))
    path = f"/v1/templates/{created['id']}"
    status, body = request("PUT", path, colleague, body=_template(name="Mine now"))
    assert status == 403
    assert_error(body, "COACH_403")
    lead = claims_for(organization, Role.COACH_LEAD, coach_id=add_coach(organization, "Lee"))
    assert request("PUT", path, lead, body=_template(name="Team's"))[0] == 200


@pytest.mark.parametrize("role", [Role.COACH, Role.COACH_LEAD])
def test_only_an_admin_makes_a_template_the_organizations_default(organization, role):
    claims = claims_for(organization, role, coach_id=add_coach(organization, "Maya Chen"))
    _, before = request("GET", "/v1/templates", claims)
    # When a coach (or a lead) creates the organization's default
    status, body = request("POST", "/v1/templates", claims, body=_template(is_default=True))
    # Then it is refused in the error shape, saying who may, and nothing is saved
    assert status == 403
    assert "Only an admin" in assert_error(body, "COACH_403")["message"]
    assert request("GET", "/v1/templates", claims)[1] == before
    # nor can they turn their own template into it
    created = _create(claims)
    path = f"/v1/templates/{created['id']}"
    status, body = request("PUT", path, claims, body=_template(is_default=True))
    assert status == 403
    assert_error(body, "COACH_403")
    assert request("GET", path, claims)[1] == created


def test_an_admin_sets_and_clears_the_organizations_default_audited(coach, organization):
    admin = claims_for(organization, Role.ADMIN)
    # Given the organization's default, set by an admin on a coach's template
    theirs = _create(coach)
    path = f"/v1/templates/{theirs['id']}"
    status, made = request("PUT", path, admin, body=_template(is_default=True))
    assert status == 200
    assert made["is_default"] is True and made["default_for"] == "organization"
    # The coach who wrote it can no longer change or delete it: it drafts everyone's emails
    status, body = request("PUT", path, coach, body=_template(name="Mine again"))
    assert status == 403
    assert "only an admin" in assert_error(body, "COACH_403")["message"]
    assert delete(path, coach) == 403
    # An admin clears it
    status, cleared = request("PUT", path, admin, body=_template(is_default=False))
    assert status == 200 and cleared["is_default"] is False and cleared["default_for"] is None
    assert audit_trail(organization, "template", theirs["id"]) == [
        ("create", theirs["id"], {}),
        ("update", theirs["id"], {"default_for": "organization"}),
        ("update", theirs["id"], {}),
    ]


def test_a_coach_makes_only_their_own_template_their_default(coach, organization):
    # Their own: yes
    status, mine = request(
        "POST", "/v1/templates", coach, body=_template(is_default=True, default_for="coach")
    )
    assert status == 201 and mine["default_for"] == "coach" and mine["is_default"] is True
    assert audit_trail(organization, "template", mine["id"])[0][2] == {"default_for": "coach"}
    # A lead's change of its words keeps it the coach's default
    lead = claims_for(organization, Role.COACH_LEAD, coach_id=add_coach(organization, "Lee"))
    path = f"/v1/templates/{mine['id']}"
    kept = _template(name="Edited", is_default=True, default_for="coach")
    assert request("PUT", path, lead, body=kept)[1]["default_for"] == "coach"
    # but nobody makes another coach's template their own default
    other = _create(coach)
    status, body = request(
        "PUT",
        f"/v1/templates/{other['id']}",
        lead,
        body=_template(is_default=True, default_for="coach"),
    )
    assert status == 403
    assert "coach who made it" in assert_error(body, "COACH_403")["message"]


def test_support_staff_cannot_use_templates(coach, organization):
    created = _create(coach)
    support = claims_for(organization, Role.SUPPORT)
    for method, path, body in [
        ("GET", "/v1/templates", None),
        ("POST", "/v1/templates", _template()),
        ("GET", f"/v1/templates/{created['id']}", None),
        ("PUT", f"/v1/templates/{created['id']}", _template()),
        ("DELETE", f"/v1/templates/{created['id']}", None),
        ("POST", f"/v1/templates/{created['id']}/copy", None),
    ]:
        status, answer = request(method, path, support, body=body)
        assert status == 403, (method, path)
        assert_error(answer, "COACH_403")


def test_another_organizations_template_is_not_found(coach, platform):
    created = _create(coach)
    other = claims_for(other_organization(platform), Role.ADMIN)
    _, listed = request("GET", "/v1/templates", other)
    assert created["id"] not in [t["id"] for t in listed["items"]]
    path = f"/v1/templates/{created['id']}"
    for method, target, body in [
        ("GET", path, None),
        ("PUT", path, _template()),
        ("DELETE", path, None),
        ("POST", f"{path}/copy", None),
    ]:
        status, answer = request(method, target, other, body=body)
        assert status == 404, (method, target)
        assert_error(answer, "COACH_404")
    assert request("GET", path, coach)[1]["name"] == "Short and warm"


def test_unknown_and_malformed_template_ids(coach):
    assert request("GET", f"/v1/templates/{uuid.uuid4()}", coach)[0] == 404
    status, body = request("GET", "/v1/templates/nope", coach)
    assert status == 422
    assert "path.template_id" in problem_fields(body)
