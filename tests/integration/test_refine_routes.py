"""Refining a summary over REST (POST /v1/summaries/{id}/refine) and the CLI: each request a
stored revision answered with its diff; undo, redo, history; conflicts and unknown requests."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from coaching.domain.identity import Role
from local_runtime.cli import app
from tests.api_calls import request
from tests.local_ports import ports, serving
from tests.review_data import (
    Reviewed,
    add_coach,
    assert_error,
    audit_trail,
    other_organization,
    problem_fields,
    reviewed_session,
)
from tests.samples import variant

pytestmark = pytest.mark.integration


@pytest.fixture
def review(platform, organization) -> Reviewed:
    coach = add_coach(organization, "Maya Chen")
    return reviewed_session(platform, organization, coach)


def _refine(review: Reviewed, summary: dict, message: str, revision: int, **claims) -> tuple:
    return request(
        "POST",
        f"/v1/summaries/{summary['id']}/refine",
        review.claims(**claims) if claims else review.claims(),
        body={"message": message, "expected_revision": revision},
    )


def _revisions(org: uuid.UUID, summary_id: str) -> list[dict]:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT revision, command, request, author_user_id, created_at FROM summary_revisions"
            " WHERE summary_id = %s ORDER BY revision",
            (summary_id,),
        ).fetchall()


def test_a_request_makes_a_revision_answered_with_its_diff(review):
    jordan = review.summaries()["Jordan Reyes"]
    first_win = jordan["wins"][0]
    # When the coach asks to remove the first win, then to add one of their own
    status, removed = _refine(review, jordan, "remove win 1", 0)
    assert status == 200, removed
    assert removed["summary"]["revision"] == 1
    assert removed["summary"]["wins"] == jordan["wins"][1:]
    assert removed["diff"] == [
        {
            "section": "wins",
            "change": "removed",
            "position": 1,
            "before": {k: v for k, v in first_win.items() if k != "sensitive"},
            "after": None,
        }
    ]
    assert removed["reply"] == "Removed win 1."
    status, added = _refine(review, removed["summary"], "add win: Asked for help early", 1)
    assert status == 200
    # Then the new item says it rests on no turn, and every other item kept its evidence
    assert added["summary"]["wins"][-1]["evidence"] == []
    assert added["diff"][0]["change"] == "added"
    assert added["diff"][0]["note"] == "rests on no transcript turn"
    assert [w["evidence"] for w in added["summary"]["wins"][:-1]] == [
        w["evidence"] for w in jordan["wins"][1:]
    ]
    # And each revision is stored: who, when, the request
    rows = _revisions(review.org, jordan["id"])
    assert [(r["revision"], r["command"], r["request"]) for r in rows] == [
        (1, "refine", "remove win 1"),
        (2, "refine", "add win: Asked for help early"),
    ]
    assert all(r["author_user_id"] and r["created_at"] for r in rows)
    assert ("update", jordan["id"], {"revision": 2}) in [
        (a, i, {k: v for k, v in d.items() if k == "revision"})
        for a, i, d in audit_trail(review.org, "summary", jordan["id"])
    ]


def test_undo_redo_and_history(review):
    jordan = review.summaries()["Jordan Reyes"]
    _, reworded = _refine(review, jordan, "reword win 1: Spoke up in the group", 0)
    assert reworded["summary"]["wins"][0]["text"] == "Spoke up in the group"
    assert reworded["summary"]["wins"][0]["evidence"] == jordan["wins"][0]["evidence"]
    # Undo is a new revision with the words before
    status, undone = _refine(review, reworded["summary"], "undo", 1)
    assert status == 200 and undone["summary"]["revision"] == 2
    assert undone["summary"]["wins"] == jordan["wins"]
    # Redo brings the change back; a second redo has nothing to redo
    status, redone = _refine(review, undone["summary"], "redo", 2)
    assert status == 200 and redone["summary"]["wins"] == reworded["summary"]["wins"]
    status, body = _refine(review, redone["summary"], "redo", 3)
    assert status == 422 and "nothing to redo" in assert_error(body, "COACH_422")["message"]
    # History lists every revision and makes none
    status, history = _refine(review, redone["summary"], "history", 3)
    assert status == 200 and history["summary"]["revision"] == 3 and history["diff"] == []
    assert [(h["revision"], h["command"], h["request"]) for h in history["history"]] == [
        (0, "draft", None),
        (1, "refine", "reword win 1: Spoke up in the group"),
        (2, "undo", "undo"),
        (3, "redo", "redo"),
    ]


def test_a_stale_revision_is_a_conflict_not_an_overwrite(review):
    jordan = review.summaries()["Jordan Reyes"]
    assert _refine(review, jordan, "shorter", 0)[0] == 200
    # When a second request is made on revision 0 again
    status, body = _refine(review, jordan, "remove win 1", 0)
    # Then it is refused in the one error shape, and nothing was written
    assert status == 409
    assert "revision 1" in assert_error(body, "COACH_409")["message"]
    assert len(_revisions(review.org, jordan["id"])) == 1


def test_an_unknown_request_is_answered_with_what_works_offline(review):
    jordan = review.summaries()["Jordan Reyes"]
    status, body = _refine(review, jordan, "make it sparkle", 0)
    assert status == 422
    message = assert_error(body, "COACH_422")["message"]
    assert "not one the offline refinement understands" in message
    for example in ("shorter", "remove win 2", "move win 2 to challenges", "undo"):
        assert example in message
    assert _revisions(review.org, jordan["id"]) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "", "expected_revision": 0}, "body.message"),
        ({"message": "shorter"}, "body.expected_revision"),
        ({"message": "shorter", "expected_revision": -1}, "body.expected_revision"),
        ({"message": "shorter", "expected_revision": 0, "x": 1}, "body.x"),
    ],
)
def test_an_invalid_request_names_the_field(review, body, field):
    jordan = review.summaries()["Jordan Reyes"]
    status, answer = request(
        "POST", f"/v1/summaries/{jordan['id']}/refine", review.claims(), body=body
    )
    assert status == 422
    assert field in problem_fields(answer)


def test_a_request_that_cannot_apply_says_why(review):
    jordan = review.summaries()["Jordan Reyes"]
    status, body = _refine(review, jordan, "remove win 99", 0)
    assert status == 422
    assert "no win 99" in assert_error(body, "COACH_422")["message"]


def test_approved_words_are_refined_only_after_reopening(review):
    jordan = review.summaries()["Jordan Reyes"]
    request("POST", f"/v1/summaries/{jordan['id']}/approve", review.claims())
    status, body = _refine(review, jordan, "shorter", 1)
    assert status == 409 and "reopen" in assert_error(body, "COACH_409")["message"].lower()
    request("POST", f"/v1/summaries/{jordan['id']}/reopen", review.claims())
    assert _refine(review, jordan, "shorter", 2)[0] == 200


def test_who_may_refine(review, platform):
    jordan = review.summaries()["Jordan Reyes"]
    # Support staff: 403; another organization and a coach who cannot see the session: 404
    status, body = _refine(review, jordan, "shorter", 0, role=Role.SUPPORT)
    assert status == 403
    assert_error(body, "COACH_403")
    other = Reviewed(other_organization(platform), review.session_id, review.coach_id)
    status, body = _refine(other, jordan, "shorter", 0)
    assert status == 404
    stranger = add_coach(review.org, "Other Coach")
    status, body = _refine(review, jordan, "shorter", 0, coach_id=stranger)
    assert status == 404
    assert_error(body, "COACH_404")
    assert _revisions(review.org, jordan["id"]) == []
    # An admin may
    assert _refine(review, jordan, "shorter", 0, role=Role.ADMIN)[0] == 200


def test_the_cli_refines_and_prints_the_diff(platform):
    # The CLI works in the local organization
    org = ports().settings.default_organization_id
    # A session of its own: other tests of the local organization process the same sample
    review = reviewed_session(
        platform, org, add_coach(org, "Maya Chen"), content=variant(f"refine {uuid.uuid4()}")
    )
    jordan = review.summaries()["Jordan Reyes"]
    result = CliRunner().invoke(
        app, ["summaries", "refine", jordan["id"], "remove win 1", "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["summary"]["revision"] == 1 and answer["diff"][0]["change"] == "removed"
    # And it is audited as the API's refinements are, saying it came from the CLI
    assert ("update", jordan["id"], {"revision": 1, "via": "cli"}) in audit_trail(
        org, "summary", jordan["id"]
    )
    # A stale revision is refused with the message for people
    result = CliRunner().invoke(
        app, ["summaries", "refine", jordan["id"], "shorter", "--expected-revision", "0"]
    )
    assert result.exit_code == 1 and "revision 1" in result.stderr
    # Without one, it refines the summary as it is, and prints the change for people
    result = CliRunner().invoke(app, ["summaries", "refine", jordan["id"], "undo"])
    assert result.exit_code == 0, result.output
    assert "Undo" in result.stdout and "(revision 2)" in result.stdout
    assert f"+ wins 1: {jordan['wins'][0]['text']}" in result.stdout
    # An unknown request lists what works offline
    result = CliRunner().invoke(app, ["summaries", "refine", jordan["id"], "sparkle"])
    assert result.exit_code == 1 and "What works offline" in result.stderr


def test_a_rest_refinement_and_its_audit_record_share_one_transaction(review):
    # Given an audit log that cannot record (the database refuses the insert)
    class BrokenAuditLog:
        def __init__(self, real) -> None:
            self.real = real

        def record(self, entry) -> None:
            raise RuntimeError("audit log unavailable")

        def __getattr__(self, name):
            return getattr(self.real, name)

    broken = ports().with_settings()
    broken.__dict__["audit_log"] = BrokenAuditLog(ports().audit_log)
    jordan = review.summaries()["Jordan Reyes"]
    # When the coach refines over REST
    with serving(broken):
        status, body = _refine(review, jordan, "remove win 1", 0)
    # Then it fails as a whole: no revision is stored without its audit record
    assert status == 500, body
    assert _revisions(review.org, jordan["id"]) == []
    assert review.summaries()["Jordan Reyes"]["revision"] == 0
    # And with the audit log back, the same request makes revision 1
    status, body = _refine(review, jordan, "remove win 1", 0)
    assert status == 200 and body["summary"]["revision"] == 1
