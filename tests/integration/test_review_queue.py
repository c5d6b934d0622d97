"""What is waiting for review: GET /v1/summaries lists the drafts of the sessions the caller
may see, newest session first, in pages, and nothing of anyone else's."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.domain.identity import Role
from tests.api_calls import claims_for, request
from tests.local_ports import ports
from tests.review_data import add_coach, other_organization, reviewed_session
from tests.samples import variant

pytestmark = pytest.mark.integration


def _date_session(org: uuid.UUID, session_id: uuid.UUID, day: dt.date) -> None:
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE sessions SET session_date = %s WHERE organization_id = %s AND id = %s",
            (day, org, session_id),
        )


def _drafts(claims: dict[str, str], **paging: str):
    return request("GET", "/v1/summaries", claims, query={"status": "draft", **paging})


def test_drafts_wait_for_review_newest_session_first_and_only_for_who_may_see_them(
    platform, organization
):
    # Given a coach's older and newer session (three clients each)
    coach = add_coach(organization, "Maya Chen")
    older = reviewed_session(platform, organization, coach, content=variant("older"))
    newer = reviewed_session(platform, organization, coach, content=variant("newer"))
    _date_session(organization, older.session_id, dt.date(2026, 3, 2))
    _date_session(organization, newer.session_id, dt.date(2026, 3, 9))
    # And one of the newer session's summaries approved
    approved = next(iter(newer.summaries().values()))
    status, body = request("POST", f"/v1/summaries/{approved['id']}/approve", newer.claims())
    assert status == 200, body

    # When the coach asks what waits for review
    status, page = request("GET", "/v1/summaries", newer.claims(), query={"status": "draft"})
    # Then the five drafts, the newer session's first, the approved one not among them
    assert status == 200, page
    sessions = [item["session_id"] for item in page["items"]]
    assert sessions == [str(newer.session_id)] * 2 + [str(older.session_id)] * 3
    assert approved["id"] not in {item["id"] for item in page["items"]}
    assert {item["status"] for item in page["items"]} == {"draft"}
    assert page["items"][0]["session_date"] == "2026-03-09"
    assert page["next_offset"] is None
    # And the approved one is listed as approved
    status, done = request("GET", "/v1/summaries", newer.claims(), query={"status": "approved"})
    assert [item["id"] for item in done["items"]] == [approved["id"]]

    # When they read a page at a time, the pages join up
    status, first = _drafts(newer.claims(), limit="3")
    assert status == 200 and first["next_offset"] == 3
    _, second = _drafts(newer.claims(), limit="3", offset="3")
    assert [item["id"] for item in first["items"] + second["items"]] == [
        item["id"] for item in page["items"]
    ]
    assert second["next_offset"] is None

    # Then another coach, another organization's admin see none of it; support is refused
    other_coach = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Ravi"))
    assert request("GET", "/v1/summaries", other_coach)[1]["items"] == []
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    assert request("GET", "/v1/summaries", outsider, query={"status": "draft"})[1]["items"] == []
    assert request("GET", "/v1/summaries", claims_for(organization, Role.SUPPORT))[0] == 403
    # And the organization's admin sees all six
    admin = claims_for(organization, Role.ADMIN)
    assert len(request("GET", "/v1/summaries", admin)[1]["items"]) == 6


def test_an_unknown_status_is_refused(platform, organization):
    status, body = request(
        "GET", "/v1/summaries", claims_for(organization, Role.ADMIN), query={"status": "sent"}
    )
    assert status == 422, body
