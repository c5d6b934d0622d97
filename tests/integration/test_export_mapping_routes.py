"""Saved export mappings over the API: made, read, changed by their maker or an admin, checked
against the published schemas, and used by an export."""

from __future__ import annotations

import pytest

from coaching.domain.identity import Role
from tests.api_calls import claims_for, delete, request
from tests.review_data import add_coach, assert_error, audit_trail, problem_fields

pytestmark = pytest.mark.integration

WAREHOUSE = {
    "name": "warehouse",
    "entities": [{"entity": "sessions", "renames": {"session_id": "id"}, "omits": ["overview"]}],
}


@pytest.fixture
def coach(organization):
    return claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Maya Chen"))


def test_a_mapping_is_saved_listed_read_and_changed_by_its_maker(organization, coach):
    status, made = request("POST", "/v1/export/mappings", coach, body=WAREHOUSE)
    assert status == 201, made
    assert made["entities"] == [
        {"entity": "sessions", "renames": {"session_id": "id"}, "omits": ["overview"]}
    ]
    _, listed = request("GET", "/v1/export/mappings", coach)
    assert listed["ready_made"] == ["hubspot", "salesforce"]
    assert [m["name"] for m in listed["items"]] == ["warehouse"]
    assert request("GET", made["links"]["self"], coach)[1] == made
    # Its maker changes it
    change = {"entities": [{"entity": "clients", "omits": ["email"]}]}
    status, changed = request("PUT", made["links"]["self"], coach, body=change)
    assert status == 200, changed
    assert [rule["entity"] for rule in changed["entities"]] == ["clients"]
    assert [action for action, *_ in audit_trail(organization, "export_mapping")] == [
        "update",
        "update",
    ]
    # Another coach may read it but not change it; an admin may
    other = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Ravi Shah"))
    assert request("GET", made["links"]["self"], other)[0] == 200
    assert request("PUT", made["links"]["self"], other, body=change)[0] == 403
    admin = claims_for(organization, Role.ADMIN)
    assert request("PUT", made["links"]["self"], admin, body=change)[0] == 200
    # And the name is taken
    status, taken = request("POST", "/v1/export/mappings", other, body=WAREHOUSE)
    assert status == 409
    assert_error(taken, "COACH_409")


@pytest.mark.parametrize(
    "entities",
    [
        [{"entity": "sessions", "omits": ["no_such_column"]}],
        [{"entity": "sessions", "renames": {"coach_id": "session_id"}}],
    ],
)
def test_a_mapping_the_schemas_do_not_allow_is_refused(coach, entities):
    status, answer = request(
        "POST", "/v1/export/mappings", coach, body={"name": "broken", "entities": entities}
    )
    assert status == 422, answer
    assert_error(answer, "COACH_422")


def test_a_mapping_of_an_unknown_entity_is_a_validation_error(coach):
    body = {"name": "broken", "entities": [{"entity": "invoices"}]}
    status, answer = request("POST", "/v1/export/mappings", coach, body=body)
    assert status == 422
    assert "body.entities.0.entity" in problem_fields(answer)


def test_a_missing_mapping_is_404_and_support_may_not_use_mappings(organization, coach):
    assert request("GET", "/v1/export/mappings/nothing-here", coach)[0] == 404
    support = claims_for(organization, Role.SUPPORT)
    assert request("GET", "/v1/export/mappings", support)[0] == 403
    assert request("POST", "/v1/export/mappings", support, body=WAREHOUSE)[0] == 403


def test_a_mapping_is_deleted_by_its_maker_or_an_admin_once_no_schedule_uses_it(
    organization, coach
):
    _, made = request("POST", "/v1/export/mappings", coach, body=WAREHOUSE)
    path = made["links"]["self"]
    schedule = {"cron": "0 6 * * 1", "format": "csv", "mapping": "warehouse"}
    status, scheduled = request("POST", "/v1/export/schedule", coach, body=schedule)
    assert status == 201, scheduled
    # Another coach may not delete it
    other = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Ravi Shah"))
    assert delete(path, other) == 403
    # While a schedule uses it, it stays, and the answer says why
    status, answer = request("DELETE", path, coach)
    assert status == 409, answer
    assert "1 export schedule(s)" in assert_error(answer, "COACH_409")["message"]
    assert request("GET", path, coach)[0] == 200
    # Once that schedule is gone, its maker deletes it; then it is gone, and audited
    assert delete(scheduled["links"]["self"], coach) == 204
    assert delete(path, coach) == 204
    assert request("GET", path, coach)[0] == 404
    assert delete(path, coach) == 404
    assert ("delete", "warehouse") in [
        (action, resource) for action, resource, _ in audit_trail(organization, "export_mapping")
    ]
    # An admin may delete another's
    request("POST", "/v1/export/mappings", other, body=WAREHOUSE)
    assert delete(path, claims_for(organization, Role.ADMIN)) == 204
