"""Follow-ups over the API: the drafts approval makes, and previews that save nothing."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.identity import Role
from coaching.usecases.render_budget import LIMITS, observed_budgets
from tests.api_calls import request
from tests.hostile_templates import HOSTILE
from tests.local_ports import ports
from tests.review_data import (
    Reviewed,
    add_coach,
    assert_error,
    assign_coach,
    audit_trail,
    other_organization,
    problem_fields,
    reviewed_session,
)

pytestmark = pytest.mark.integration

VOICE = {"greeting": "Dear", "sign_off": "With warm wishes", "signature": "Maya"}


@pytest.fixture
def review(platform, organization) -> Reviewed:
    return reviewed_session(
        platform, organization, add_coach(organization, "Maya Chen", voice_profile=VOICE)
    )


def _approve(review: Reviewed, client: str) -> dict:
    summary = review.summaries()[client]
    status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", review.claims())
    assert status == 200, body
    return body["follow_up"]


def _follow_up_count(org: uuid.UUID) -> int:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT count(*) AS n FROM follow_ups WHERE organization_id = %s", (org,)
        ).fetchone()["n"]


def test_the_list_shows_drafts_newest_first_with_filters_and_pages(review):
    jordan = _approve(review, "Jordan Reyes")
    priya = _approve(review, "Priya Nair")
    status, body = request("GET", "/v1/follow-ups", review.claims())
    assert status == 200
    assert [item["id"] for item in body["items"]] == [priya["id"], jordan["id"]]
    assert {item["status"] for item in body["items"]} == {"draft"}
    assert body["next_offset"] is None
    # Filters
    client_id = review.summaries()["Jordan Reyes"]["client_id"]
    _, by_client = request("GET", "/v1/follow-ups", review.claims(), query={"client_id": client_id})
    assert [item["id"] for item in by_client["items"]] == [jordan["id"]]
    _, sent = request("GET", "/v1/follow-ups", review.claims(), query={"status": "sent"})
    assert sent["items"] == []
    # Pages
    _, first = request("GET", "/v1/follow-ups", review.claims(), query={"limit": "1"})
    assert [item["id"] for item in first["items"]] == [priya["id"]] and first["next_offset"] == 1
    _, second = request(
        "GET", "/v1/follow-ups", review.claims(), query={"limit": "1", "offset": "1"}
    )
    assert [item["id"] for item in second["items"]] == [jordan["id"]]
    assert second["next_offset"] is None
    assert ("read", None, {"count": 2}) in audit_trail(review.org, "follow_up")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "query.status"),
        ({"limit": "0"}, "query.limit"),
        ({"offset": "-1"}, "query.offset"),
        ({"client_id": "someone"}, "query.client_id"),
    ],
)
def test_an_invalid_list_query_names_the_field(review, query, field):
    status, body = request("GET", "/v1/follow-ups", review.claims(), query=query)
    assert status == 422
    assert field in problem_fields(body)


def test_a_saved_follow_up_and_its_preview(review):
    follow_up = _approve(review, "Jordan Reyes")
    status, saved = request("GET", f"/v1/follow-ups/{follow_up['id']}", review.claims())
    assert status == 200
    assert saved["client_name"] == "Jordan Reyes" and saved["status"] == "draft"
    assert saved["subject"].startswith("Your takeaways from our workshop on ")
    assert saved["body"].startswith("Dear Jordan,\n")
    assert saved["body"].endswith("With warm wishes,\nMaya\n")
    status, preview = request("GET", f"/v1/follow-ups/{follow_up['id']}/preview", review.claims())
    assert status == 200
    assert (preview["subject"], preview["body"]) == (saved["subject"], saved["body"])
    actions = [a[0] for a in audit_trail(review.org, "follow_up", follow_up["id"])]
    assert actions == ["create", "read", "read"]


def test_a_preview_renders_in_the_coachs_voice_and_saves_nothing(review):
    priya = review.summaries()["Priya Nair"]
    status, preview = request(
        "POST", "/v1/follow-ups/preview", review.claims(), body={"summary_id": priya["id"]}
    )
    assert status == 200, preview
    assert preview["body"].startswith("Dear Priya,\n")
    # issue 16: the item is written about Priya, and the email speaks to her
    assert "- You keep saying yes to every invite" in preview["body"]
    assert preview["body"].endswith("With warm wishes,\nMaya\n")
    assert preview["withheld_sensitive_items"] == 0
    assert _follow_up_count(review.org) == 0
    assert audit_trail(review.org, "summary", priya["id"])[-1][0] == "preview"


def test_a_preview_with_a_chosen_template(review):
    status, template = request(
        "POST",
        "/v1/templates",
        review.claims(),
        body={
            "name": "Brief",
            "subject": "For {{ client_name }}",
            "content": "{{ action_items | map(attribute='text') | join('; ') }}",
        },
    )
    assert status == 201
    jordan = review.summaries()["Jordan Reyes"]
    status, preview = request(
        "POST",
        "/v1/follow-ups/preview",
        review.claims(),
        body={"summary_id": jordan["id"], "template_id": template["id"]},
    )
    assert status == 200
    assert preview["subject"] == "For Jordan Reyes"
    assert preview["template_id"] == template["id"]
    # issue 16: the item is written about Jordan; the email speaks to him
    assert jordan["action_items"][0]["text"].startswith("Jordan will hand over the budget review")
    assert preview["body"].startswith("You'll hand over the budget review next")


def test_items_on_sensitive_turns_stay_out_of_the_email(review):
    priya = review.summaries()["Priya Nair"]
    turn = priya["challenges"][0]["evidence"][0]
    with ports().database.transaction(review.org) as conn:
        conn.execute(
            "UPDATE session_turns SET sensitive_categories = '{mental_health}'"
            " WHERE session_id = %s AND turn_index = %s",
            (review.session_id, turn),
        )
    status, preview = request(
        "POST", "/v1/follow-ups/preview", review.claims(), body={"summary_id": priya["id"]}
    )
    assert status == 200
    assert preview["withheld_sensitive_items"] == len(priya["challenges"])
    assert "What you are working through" not in preview["body"]
    assert all(c["sensitive"] for c in review.summaries()["Priya Nair"]["challenges"])


def test_an_organizations_default_template_is_used_on_approval(review):
    status, ours = request(
        "POST",
        "/v1/templates",
        review.claims(Role.ADMIN),  # only an admin sets the organization's default
        body={
            "name": "House style",
            "workshop_type": "group",
            "is_default": True,
            "subject": "From the team",
            "content": "{{ greeting }} {{ client_first_name }}. {{ sign_off }}, {{ signature }}",
        },
    )
    assert status == 201
    follow_up = _approve(review, "Alex Okafor")
    _, saved = request("GET", f"/v1/follow-ups/{follow_up['id']}", review.claims())
    assert saved["template_id"] == ours["id"]
    assert saved["body"] == "Dear Alex. With warm wishes, Maya\n"


GROUP_DEFAULT = "6c1f0a52-9d1e-4c57-9a43-2f0e1b7d0001"


def _template(claims: dict, name: str, **changes) -> str:
    body = {
        "name": name,
        "workshop_type": "group",
        "subject": f"From {name}",
        "content": "{{ greeting }} {{ client_first_name }}",
        **changes,
    }
    status, created = request("POST", "/v1/templates", claims, body=body)
    assert status == 201, created
    return created["id"]


def _drafted_with(review: Reviewed, client: str, claims: dict) -> str:
    """The template approval drafted ``client``'s follow-up with (approving as ``claims``)."""
    _, listed = request("GET", f"/v1/sessions/{review.session_id}/summaries", claims)
    summary = next(item for item in listed["items"] if item["client_name"] == client)
    status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", claims)
    assert status == 200, body
    _, saved = request("GET", f"/v1/follow-ups/{body['follow_up']['id']}", claims)
    return saved["template_id"]


def test_a_coachs_own_default_drafts_only_their_own_clients_follow_ups(review):
    maya = review.claims()
    sam_id = add_coach(review.org, "Sam Lee")
    sam = review.claims(coach_id=sam_id)
    # Given Maya makes a template her own default
    mine = _template(maya, "Maya's way", is_default=True, default_for="coach")
    _, listed = request("GET", f"/v1/templates/{mine}", maya)
    assert listed["is_default"] is True and listed["default_for"] == "coach"
    # When one of her sessions is approved, then it drafts with hers (the preview says so too)
    _, preview = request(
        "POST",
        "/v1/follow-ups/preview",
        maya,
        body={"summary_id": review.summaries()["Jordan Reyes"]["id"]},
    )
    assert preview["template_id"] == mine
    assert _drafted_with(review, "Jordan Reyes", maya) == mine
    # When the session is Sam's, his clients' drafts use the system default, not Maya's
    assign_coach(review.org, review.session_id, sam_id)
    assert _drafted_with(review, "Priya Nair", sam) == GROUP_DEFAULT


def test_the_coachs_own_default_comes_before_the_organizations(review):
    maya = review.claims()
    sam_id = add_coach(review.org, "Sam Lee")
    house = _template(review.claims(Role.ADMIN), "House style", is_default=True)
    mine = _template(maya, "Maya's way", is_default=True, default_for="coach")
    # Maya's own default drafts her clients' follow-ups
    assert _drafted_with(review, "Jordan Reyes", maya) == mine
    # another coach's approval uses the organization's default
    assign_coach(review.org, review.session_id, sam_id)
    assert _drafted_with(review, "Priya Nair", review.claims(coach_id=sam_id)) == house


def test_a_new_own_default_replaces_the_coachs_last_one_only(review):
    maya = review.claims()
    sam = review.claims(coach_id=add_coach(review.org, "Sam Lee"))
    first = _template(maya, "First", is_default=True, default_for="coach")
    sams = _template(sam, "Sam's", is_default=True, default_for="coach")
    second = _template(maya, "Second", is_default=True, default_for="coach")
    assert request("GET", f"/v1/templates/{first}", maya)[1]["is_default"] is False
    assert request("GET", f"/v1/templates/{second}", maya)[1]["is_default"] is True
    assert request("GET", f"/v1/templates/{sams}", sam)[1]["is_default"] is True
    assert _drafted_with(review, "Jordan Reyes", maya) == second


def _stored_template(org: uuid.UUID, content: str, *, is_default: bool = False) -> str:
    """A template written straight to the database, as one saved before today's checks."""
    with ports().database.transaction(org) as conn:
        return str(
            conn.execute(
                "INSERT INTO templates (organization_id, name, type, workshop_type, subject,"
                " content, is_default) VALUES (%s, 'Old', 'follow_up', 'group', 'Hi', %s, %s)"
                " RETURNING id",
                (org, content, is_default),
            ).fetchone()["id"]
        )


def test_previewing_a_stored_hostile_template_answers_422_with_the_reason(review):
    jordan = review.summaries()["Jordan Reyes"]
    for hostile in HOSTILE:
        # Given a template that would stall the platform, stored before the checks
        template_id = _stored_template(review.org, hostile.source)
        # When the coach previews a follow-up with it
        with observed_budgets() as budgets:
            status, body = request(
                "POST",
                "/v1/follow-ups/preview",
                review.claims(),
                body={"summary_id": jordan["id"], "template_id": template_id},
            )
        # Then the answer is a 422 in the error shape, saying why, after bounded work
        assert status == 422, (hostile.name, body)
        message = assert_error(body, "COACH_422")["message"]
        assert "cannot render this summary" in message and hostile.reason in message, message
        assert all(b.steps <= LIMITS.steps and b.characters <= LIMITS.characters for b in budgets)


def test_approving_with_a_hostile_default_answers_422_and_leaves_a_draft(review):
    _stored_template(review.org, HOSTILE[0].source, is_default=True)
    alex = review.summaries()["Alex Okafor"]
    status, body = request("POST", f"/v1/summaries/{alex['id']}/approve", review.claims())
    assert status == 422
    assert HOSTILE[0].reason in assert_error(body, "COACH_422")["message"]
    assert review.summaries()["Alex Okafor"]["status"] == "draft"
    assert _follow_up_count(review.org) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.summary_id"),
        ({"summary_id": "nope"}, "body.summary_id"),
        ({"summary_id": str(uuid.uuid4()), "template_id": 7}, "body.template_id"),
        ({"summary_id": str(uuid.uuid4()), "tone": "casual"}, "body.tone"),
    ],
)
def test_an_invalid_preview_request_names_the_field(review, body, field):
    status, answer = request("POST", "/v1/follow-ups/preview", review.claims(), body=body)
    assert status == 422
    assert field in problem_fields(answer)


def test_unknown_ids_answer_404(review):
    jordan = review.summaries()["Jordan Reyes"]
    for method, path, body in [
        ("GET", f"/v1/follow-ups/{uuid.uuid4()}", None),
        ("GET", f"/v1/follow-ups/{uuid.uuid4()}/preview", None),
        ("POST", "/v1/follow-ups/preview", {"summary_id": str(uuid.uuid4())}),
        (
            "POST",
            "/v1/follow-ups/preview",
            {"summary_id": jordan["id"], "template_id": str(uuid.uuid4())},
        ),
    ]:
        status, answer = request(method, path, review.claims(), body=body)
        assert status == 404, (method, path, body)
        assert_error(answer, "COACH_404")


def _routes(follow_up_id: str, summary_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/v1/follow-ups/{follow_up_id}", None),
        ("GET", f"/v1/follow-ups/{follow_up_id}/preview", None),
        ("POST", "/v1/follow-ups/preview", {"summary_id": summary_id}),
    ]


def test_support_staff_cannot_see_follow_ups(review):
    follow_up = _approve(review, "Jordan Reyes")
    summary_id = review.summaries()["Jordan Reyes"]["id"]
    support = review.claims(Role.SUPPORT)
    for method, path, body in [
        ("GET", "/v1/follow-ups", None),
        *_routes(follow_up["id"], summary_id),
    ]:
        status, answer = request(method, path, support, body=body)
        assert status == 403, (method, path)
        assert_error(answer, "COACH_403")


def test_another_organization_sees_none_of_them(review, platform):
    follow_up = _approve(review, "Jordan Reyes")
    summary_id = review.summaries()["Jordan Reyes"]["id"]
    other = Reviewed(other_organization(platform), review.session_id, review.coach_id)
    _, listed = request("GET", "/v1/follow-ups", other.claims(Role.ADMIN))
    assert listed["items"] == []
    for method, path, body in _routes(follow_up["id"], summary_id):
        status, answer = request(method, path, other.claims(Role.ADMIN), body=body)
        assert status == 404, (method, path)
        assert_error(answer, "COACH_404")


def test_a_coach_who_cannot_see_the_session_sees_none_of_them(review):
    follow_up = _approve(review, "Jordan Reyes")
    summary_id = review.summaries()["Jordan Reyes"]["id"]
    stranger = review.claims(coach_id=add_coach(review.org, "Other Coach"))
    _, listed = request("GET", "/v1/follow-ups", stranger)
    assert listed["items"] == []
    for method, path, body in _routes(follow_up["id"], summary_id):
        status, answer = request(method, path, stranger, body=body)
        assert status == 404, (method, path)
        assert_error(answer, "COACH_404")
    # An admin of the organization sees every one
    _, everything = request("GET", "/v1/follow-ups", review.claims(Role.ADMIN))
    assert [item["id"] for item in everything["items"]] == [follow_up["id"]]
