"""The coach's review of summaries over the API: read, edit, approve, reopen."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.identity import Role
from tests.api_calls import request
from tests.local_ports import ports
from tests.review_data import (
    Reviewed,
    add_coach,
    assert_error,
    audit_trail,
    other_organization,
    problem_fields,
    reviewed_session,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def review(platform, organization) -> Reviewed:
    coach = add_coach(organization, "Maya Chen", voice_profile={"sign_off": "Warmly"})
    return reviewed_session(platform, organization, coach)


def _edit(summary: dict, **changes) -> dict:
    """The full content of ``summary`` as an edit body, with ``changes``."""
    body = {
        kind: [{k: v for k, v in item.items() if k != "sensitive"} for item in summary[kind]]
        for kind in ("wins", "challenges", "action_items", "coach_recommendations")
    }
    return {**body, "expected_revision": summary["revision"], **changes}


def _row(org: uuid.UUID, summary_id: str) -> dict:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT ai_version, coach_edited_version, approved_at, approved_by,"
            " (SELECT count(*) FROM follow_ups f WHERE f.summary_id = s.id) AS follow_ups"
            " FROM summaries s WHERE id = %s",
            (summary_id,),
        ).fetchone()


def _revisions(org: uuid.UUID, summary_id: str) -> list[dict]:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT revision, command, author, author_user_id, content FROM summary_revisions"
            " WHERE summary_id = %s ORDER BY revision",
            (summary_id,),
        ).fetchall()


def test_the_coach_reads_each_clients_draft_with_its_evidence(review):
    # When the session's coach lists its summaries
    status, body = request("GET", f"/v1/sessions/{review.session_id}/summaries", review.claims())
    # Then there is one draft per client, each item pointing at transcript turns
    assert status == 200
    by_name = {item["client_name"]: item for item in body["items"]}
    assert sorted(by_name) == ["Alex Okafor", "Jordan Reyes", "Priya Nair"]
    jordan = by_name["Jordan Reyes"]
    assert jordan["status"] == "draft" and jordan["revision"] == 0
    assert jordan["edited"] is False and jordan["approved_at"] is None
    assert jordan["client_id"] and jordan["session_id"] == str(review.session_id)
    assert jordan["wins"] and all(item["evidence"] for item in jordan["wins"])
    assert {"text", "owner", "due", "evidence", "sensitive"} <= set(jordan["action_items"][0])
    # And the read is in the audit log, with ids and counts only
    assert audit_trail(review.org, "summary") == [
        ("read", None, {"session_id": str(review.session_id), "count": 3})
    ]


def test_one_summary_by_id(review):
    jordan = review.summaries()["Jordan Reyes"]
    status, body = request("GET", f"/v1/summaries/{jordan['id']}", review.claims())
    assert status == 200
    assert body == jordan
    assert [a[0] for a in audit_trail(review.org, "summary", jordan["id"])] == ["read"]


def test_an_edit_is_a_new_revision_and_the_ai_draft_is_kept(review):
    jordan = review.summaries()["Jordan Reyes"]
    ai_before = _row(review.org, jordan["id"])["ai_version"]
    edit = _edit(
        jordan,
        wins=[{"text": "You handed the weekly report to Sam, and it came back on time."}],
        action_items=[
            {
                "text": "Send Sam the budget template",
                "owner": "Jordan",
                "due": "2026-03-13",
                "evidence": [3],
            }
        ],
    )
    user = uuid.uuid4()
    # When the coach saves their words
    status, body = request(
        "PUT", f"/v1/summaries/{jordan['id']}", review.claims(user_id=user), body=edit
    )
    # Then the summary shows them, as revision 1, marked edited
    assert status == 200, body
    assert body["revision"] == 1 and body["edited"] is True and body["status"] == "draft"
    assert [w["text"] for w in body["wins"]] == [
        "You handed the weekly report to Sam, and it came back on time."
    ]
    assert body["action_items"][0]["due"] == "2026-03-13"
    # And the AI's draft is untouched, the revision is recorded with its author
    row = _row(review.org, jordan["id"])
    assert row["ai_version"] == ai_before
    assert row["coach_edited_version"]["wins"] == [
        {"text": "You handed the weekly report to Sam, and it came back on time.", "evidence": []}
    ]
    [revision] = _revisions(review.org, jordan["id"])
    assert (revision["revision"], revision["command"], revision["author"]) == (1, "edit", "coach")
    assert revision["author_user_id"] == user
    assert audit_trail(review.org, "summary", jordan["id"]) == [
        ("update", jordan["id"], {"revision": 1})
    ]


def test_an_edit_made_on_a_stale_revision_is_refused(review):
    jordan = review.summaries()["Jordan Reyes"]
    first = _edit(jordan, challenges=[{"text": "Letting go of the budget review"}])
    assert request("PUT", f"/v1/summaries/{jordan['id']}", review.claims(), body=first)[0] == 200
    # When a second reviewer saves on revision 0 too
    second = _edit(jordan, challenges=[{"text": "Something else"}])
    status, body = request("PUT", f"/v1/summaries/{jordan['id']}", review.claims(), body=second)
    # Then they are told to reload, and the first edit stands
    assert status == 409
    assert "revision 1" in assert_error(body, "COACH_409")["message"]
    assert review.summaries()["Jordan Reyes"]["challenges"][0]["text"] == (
        "Letting go of the budget review"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"wins": [{"text": "   "}]}, "body.wins.0.text"),
        ({"wins": [{"text": "ok", "evidence": [-1]}]}, "body.wins.0.evidence.0"),
        ({"action_items": [{"text": "ok", "due": "next Friday"}]}, "body.action_items.0.due"),
        ({"expected_revision": -1}, "body.expected_revision"),
        ({"wins": [{"text": "ok", "mood": "great"}]}, "body.wins.0.mood"),
    ],
)
def test_an_invalid_edit_names_the_fields(review, change, field):
    jordan = review.summaries()["Jordan Reyes"]
    status, body = request(
        "PUT", f"/v1/summaries/{jordan['id']}", review.claims(), body=_edit(jordan, **change)
    )
    assert status == 422
    assert field in problem_fields(body)


def test_an_edit_must_send_every_list(review):
    jordan = review.summaries()["Jordan Reyes"]
    status, body = request(
        "PUT",
        f"/v1/summaries/{jordan['id']}",
        review.claims(),
        body={"wins": [], "expected_revision": 0},
    )
    assert status == 422
    assert {"body.challenges", "body.action_items", "body.coach_recommendations"} <= set(
        problem_fields(body)
    )


def test_evidence_must_point_at_a_turn_of_the_session(review):
    jordan = review.summaries()["Jordan Reyes"]
    edit = _edit(jordan, wins=[{"text": "ok", "evidence": [1]}, {"text": "x", "evidence": [9999]}])
    status, body = request("PUT", f"/v1/summaries/{jordan['id']}", review.claims(), body=edit)
    assert status == 422
    fields = problem_fields(body)
    assert list(fields) == ["body.wins.1.evidence"]
    assert "9999" in fields["body.wins.1.evidence"]


def test_approval_freezes_the_words_and_drafts_a_follow_up_without_sending(review, platform):
    jordan = review.summaries()["Jordan Reyes"]
    outbox = platform.settings.outbox_dir
    emails_before = sorted(outbox.glob("*")) if outbox.exists() else []
    user = uuid.uuid4()
    # When the coach approves
    status, body = request(
        "POST",
        f"/v1/summaries/{jordan['id']}/approve",
        review.claims(user_id=user),
        body={"expected_revision": 0},
    )
    # Then the summary is approved as revision 1, frozen in the revision history
    assert status == 200, body
    summary = body["summary"]
    assert summary["status"] == "approved" and summary["approved_at"]
    assert summary["revision"] == 1
    [revision] = _revisions(review.org, jordan["id"])
    assert revision["command"] == "approve" and revision["author_user_id"] == user
    assert [w["text"] for w in revision["content"]["wins"]] == [w["text"] for w in jordan["wins"]]
    assert _row(review.org, jordan["id"])["approved_by"] == user
    # And a follow-up draft waits for the client; nothing was emailed
    follow_up = body["follow_up"]
    assert follow_up["status"] == "draft"
    status, saved = request("GET", f"/v1/follow-ups/{follow_up['id']}", review.claims())
    assert status == 200
    assert saved["status"] == "draft" and saved["sent_at"] is None
    assert saved["client_id"] == jordan["client_id"]
    assert saved["body"].startswith("Hi Jordan,") and saved["body"].endswith("Warmly,\nMaya Chen\n")
    assert (sorted(outbox.glob("*")) if outbox.exists() else []) == emails_before
    # And both are in the audit log
    assert audit_trail(review.org, "summary", jordan["id"])[-1][0] == "approve"
    assert [a[0] for a in audit_trail(review.org, "follow_up", follow_up["id"])][0] == "create"


def test_approving_twice_is_a_conflict_and_makes_one_draft(review):
    jordan = review.summaries()["Jordan Reyes"]
    assert request("POST", f"/v1/summaries/{jordan['id']}/approve", review.claims())[0] == 200
    status, body = request("POST", f"/v1/summaries/{jordan['id']}/approve", review.claims())
    assert status == 409
    assert "already approved" in assert_error(body, "COACH_409")["message"]
    assert _row(review.org, jordan["id"])["follow_ups"] == 1


def test_approving_a_stale_revision_is_refused(review):
    jordan = review.summaries()["Jordan Reyes"]
    request("PUT", f"/v1/summaries/{jordan['id']}", review.claims(), body=_edit(jordan))
    status, body = request(
        "POST",
        f"/v1/summaries/{jordan['id']}/approve",
        review.claims(),
        body={"expected_revision": 0},
    )
    assert status == 409
    assert _row(review.org, jordan["id"])["approved_at"] is None


def test_approved_words_change_only_after_an_explicit_reopen(review):
    jordan = review.summaries()["Jordan Reyes"]
    _, approved = request("POST", f"/v1/summaries/{jordan['id']}/approve", review.claims())
    edit = _edit(approved["summary"], wins=[{"text": "New words"}])
    # An edit of approved words is refused
    status, body = request("PUT", f"/v1/summaries/{jordan['id']}", review.claims(), body=edit)
    assert status == 409
    assert "reopen" in assert_error(body, "COACH_409")["message"].lower()
    # Reopening puts it back to draft and withdraws the unsent follow-up draft
    status, reopened = request("POST", f"/v1/summaries/{jordan['id']}/reopen", review.claims())
    assert status == 200
    assert reopened["status"] == "draft" and reopened["revision"] == 2
    follow_up_id = approved["follow_up"]["id"]
    assert request("GET", f"/v1/follow-ups/{follow_up_id}", review.claims())[0] == 404
    # Then the edit goes through, and approving again drafts a new follow-up
    edit["expected_revision"] = 2
    status, edited = request("PUT", f"/v1/summaries/{jordan['id']}", review.claims(), body=edit)
    assert status == 200 and edited["revision"] == 3
    status, again = request("POST", f"/v1/summaries/{jordan['id']}/approve", review.claims())
    assert status == 200 and again["follow_up"]["id"] != follow_up_id
    assert [r["command"] for r in _revisions(review.org, jordan["id"])] == [
        "approve",
        "reopen",
        "edit",
        "approve",
    ]
    assert "reopen" in [a[0] for a in audit_trail(review.org, "summary", jordan["id"])]
    # Reopening a draft is a conflict
    request("POST", f"/v1/summaries/{jordan['id']}/reopen", review.claims())
    status, _ = request("POST", f"/v1/summaries/{jordan['id']}/reopen", review.claims())
    assert status == 409


def _routes(review: Reviewed, summary_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/v1/sessions/{review.session_id}/summaries", None),
        ("GET", f"/v1/summaries/{summary_id}", None),
        (
            "PUT",
            f"/v1/summaries/{summary_id}",
            {
                "wins": [],
                "challenges": [],
                "action_items": [],
                "coach_recommendations": [],
                "expected_revision": 0,
            },
        ),
        ("POST", f"/v1/summaries/{summary_id}/approve", None),
        ("POST", f"/v1/summaries/{summary_id}/reopen", None),
        (
            "POST",
            f"/v1/summaries/{summary_id}/refine",
            {"message": "remove win 1", "expected_revision": 0},
        ),
    ]


def test_support_staff_cannot_read_or_change_summaries(review):
    summary_id = review.summaries()["Jordan Reyes"]["id"]
    for method, path, body in _routes(review, summary_id):
        status, answer = request(method, path, review.claims(Role.SUPPORT), body=body)
        assert status == 403, (method, path)
        assert_error(answer, "COACH_403")
    assert _row(review.org, summary_id)["approved_at"] is None


def test_another_organization_gets_404_for_every_route(review, platform):
    summary_id = review.summaries()["Jordan Reyes"]["id"]
    other = other_organization(platform)
    for method, path, body in _routes(review, summary_id):
        for role in (Role.ADMIN, Role.COACH):
            claims = Reviewed(other, review.session_id, review.coach_id).claims(role)
            status, answer = request(method, path, claims, body=body)
            assert status == 404, (method, path, role)
            assert_error(answer, "COACH_404")
    assert _row(review.org, summary_id)["approved_at"] is None


def test_a_coach_who_cannot_see_the_session_gets_404(review):
    summary_id = review.summaries()["Jordan Reyes"]["id"]
    stranger = add_coach(review.org, "Other Coach")
    for method, path, body in _routes(review, summary_id):
        status, answer = request(method, path, review.claims(coach_id=stranger), body=body)
        assert status == 404, (method, path)
        assert_error(answer, "COACH_404")
    assert _row(review.org, summary_id)["approved_at"] is None


def test_the_coachs_lead_and_an_admin_may_review(review):
    lead = add_coach(review.org, "Lead Coach")
    with ports().database.transaction(review.org) as conn:
        conn.execute("UPDATE coaches SET lead_coach_id = %s WHERE id = %s", (lead, review.coach_id))
    jordan = review.summaries()["Jordan Reyes"]
    lead_claims = review.claims(Role.COACH_LEAD, coach_id=lead)
    assert request("GET", f"/v1/summaries/{jordan['id']}", lead_claims)[0] == 200
    status, _ = request("POST", f"/v1/summaries/{jordan['id']}/approve", review.claims(Role.ADMIN))
    assert status == 200


def test_unknown_and_malformed_ids(review):
    status, body = request("GET", f"/v1/summaries/{uuid.uuid4()}", review.claims())
    assert status == 404
    assert_error(body, "COACH_404")
    status, body = request("GET", f"/v1/sessions/{uuid.uuid4()}/summaries", review.claims())
    assert status == 404
    status, body = request("GET", "/v1/summaries/not-an-id", review.claims())
    assert status == 422
    assert "path.summary_id" in problem_fields(body)
