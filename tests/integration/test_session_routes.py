"""Session routes by role: who sees which sessions, filters and pages, status, deletion."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.domain.identity import Role
from coaching.usecases.submit_transcript import process_transcript
from tests.api_calls import claims_for, delete, request
from tests.local_ports import ports
from tests.review_data import add_coach
from tests.samples import variant

pytestmark = pytest.mark.integration


def process(platform, org, tag: str, coach_id, **options) -> uuid.UUID:
    submission, execution = process_transcript(
        platform.deps,
        platform.workflow,
        org,
        variant(tag),
        f"{tag}.vtt",
        coach_id=coach_id,
        **options,
    )
    assert execution is not None and execution.status == "SUCCEEDED"
    return submission.session_id


def count_rows(org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
    """Rows anywhere that belong to the session (as the owner: nothing hidden)."""
    queries = {
        "sessions": "SELECT count(*) AS n FROM sessions WHERE id = %(s)s",
        "session_turns": "SELECT count(*) AS n FROM session_turns WHERE session_id = %(s)s",
        "session_participants": (
            "SELECT count(*) AS n FROM session_participants WHERE session_id = %(s)s"
        ),
        "client_sessions": "SELECT count(*) AS n FROM client_sessions WHERE session_id = %(s)s",
        "summaries": (
            "SELECT count(*) AS n FROM summaries s JOIN client_sessions cs"
            " ON cs.id = s.client_session_id WHERE cs.session_id = %(s)s"
        ),
        "search_passages": "SELECT count(*) AS n FROM search_passages WHERE session_id = %(s)s",
        "step_runs": "SELECT count(*) AS n FROM step_runs WHERE session_id = %(s)s",
        "notifications": "SELECT count(*) AS n FROM notifications WHERE session_id = %(s)s",
        "executions": "SELECT count(*) AS n FROM executions WHERE session_id = %(s)s",
        "pending_clients": ("SELECT count(*) AS n FROM clients WHERE created_by_session = %(s)s"),
    }
    with ports().database.transaction() as conn:
        return {
            table: conn.execute(sql, {"s": session_id}).fetchone()["n"]
            for table, sql in queries.items()
        }


def audited(org: uuid.UUID, action: str, resource_id=None) -> list:
    return [
        e
        for e in ports().audit_log.entries(org, resource_type="session", limit=500)
        if e.action == action and (resource_id is None or e.resource_id == str(resource_id))
    ]


@pytest.fixture(scope="module")
def practice(platform):
    """One organization, read by every test here: a lead, coach A on the lead's team, coach B
    on no team; a session each (A's a group session in March, B's an individual one in
    April), and one of no coach."""
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"routes {org}")
    lead = add_coach(org, "Lee Lead")
    coach_a = add_coach(org, "Maya Chen", lead_coach_id=lead)
    coach_b = add_coach(org, "Bo Other")
    return {
        "org": org,
        "lead": lead,
        "a": coach_a,
        "b": coach_b,
        "session_a": process(
            platform,
            org,
            "a",
            coach_a,
            session_type="group",
            session_date=dt.date(2026, 3, 2),
        ),
        "session_b": process(
            platform,
            org,
            "b",
            coach_b,
            session_type="individual",
            session_date=dt.date(2026, 4, 6),
        ),
        "session_none": process(platform, org, "none", None),
    }


def as_(practice, who: str) -> dict[str, str]:
    org = practice["org"]
    if who == "admin":
        return claims_for(org, Role.ADMIN)
    if who == "support":
        return claims_for(org, Role.SUPPORT)
    if who == "lead":
        return claims_for(org, Role.COACH_LEAD, coach_id=practice["lead"])
    return claims_for(org, Role.COACH, coach_id=practice[who])


def listed(practice, who: str, **query) -> list[str]:
    status, body = request("GET", "/v1/sessions", as_(practice, who), query=query or None)
    assert status == 200, body
    return [item["session_id"] for item in body["items"]]


# -- who sees what -------------------------------------------------------------------------


def test_each_role_lists_the_sessions_it_may_see(practice):
    a, b, none = (str(practice[k]) for k in ("session_a", "session_b", "session_none"))
    assert listed(practice, "a") == [a]
    assert listed(practice, "b") == [b]
    # The lead sees their team (coach A), not coach B, not sessions of no coach
    assert listed(practice, "lead") == [a]
    # The admin sees all of them, newest first
    assert listed(practice, "admin") == [none, b, a]


def test_a_coach_cannot_open_another_coachs_session_but_their_lead_and_the_admin_can(practice):
    session_a = practice["session_a"]
    for path in (f"/v1/sessions/{session_a}", f"/v1/sessions/{session_a}/status"):
        status, body = request("GET", path, as_(practice, "b"))
        assert status == 404 and body["error"]["code"] == "COACH_404"
        for who in ("a", "lead", "admin"):
            status, body = request("GET", path, as_(practice, who))
            assert status == 200, (who, body)
            assert body["session_id"] == str(session_a)
    # And the lead does not see coach B's session
    status, _ = request("GET", f"/v1/sessions/{practice['session_b']}", as_(practice, "lead"))
    assert status == 404


def test_support_staff_see_no_sessions(practice):
    for path in (
        "/v1/sessions",
        f"/v1/sessions/{practice['session_a']}",
        f"/v1/sessions/{practice['session_a']}/status",
        "/v1/supervision",
    ):
        status, body = request("GET", path, as_(practice, "support"))
        assert status == 403, path
        assert body["error"]["code"] == "COACH_403"
    status, _ = request("DELETE", f"/v1/sessions/{practice['session_a']}", as_(practice, "support"))
    assert status == 403


def test_another_organizations_admin_sees_nothing_of_them(practice, platform):
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"other {other}")
    admin = claims_for(other, Role.ADMIN)
    status, body = request("GET", "/v1/sessions", admin)
    assert (status, body["items"]) == (200, [])
    session_a = practice["session_a"]
    for method, path in (
        ("GET", f"/v1/sessions/{session_a}"),
        ("GET", f"/v1/sessions/{session_a}/status"),
        ("DELETE", f"/v1/sessions/{session_a}"),
    ):
        status, body = request(method, path, admin)
        assert status == 404, (method, path)
        assert body["error"]["code"] == "COACH_404"


def test_the_session_answer_keeps_its_fields_and_names_its_coach(practice):
    status, body = request("GET", f"/v1/sessions/{practice['session_a']}", as_(practice, "a"))
    assert status == 200
    for field in ("source", "status", "execution", "participants", "session_summary"):
        assert field in body
    assert body["coach_id"] == str(practice["a"])
    assert body["session_type"] == "group"


# -- status --------------------------------------------------------------------------------


def test_the_status_says_how_far_processing_got(practice):
    status, body = request(
        "GET", f"/v1/sessions/{practice['session_b']}/status", as_(practice, "b")
    )
    assert status == 200
    assert body["status"] == "completed"
    assert body["failed_step"] is None and body["failure_reason"] is None
    assert body["execution_name"] == f"session-{practice['session_b']}"
    assert dt.datetime.fromisoformat(body["updated_at"]).tzinfo is not None


def test_a_failed_sessions_status_names_the_step_and_the_reason(platform, organization):
    coach = add_coach(organization, "Maya Chen")
    submission, _ = process_transcript(
        platform.deps, platform.workflow, organization, b"", "empty.vtt", coach_id=coach
    )
    claims = claims_for(organization, Role.COACH, coach_id=coach)
    status, body = request("GET", f"/v1/sessions/{submission.session_id}/status", claims)
    assert status == 200
    assert body["status"] == "failed"
    assert body["failed_step"] == "ValidateAndStore"
    assert "empty" in body["failure_reason"].lower()


# -- filters and pages ---------------------------------------------------------------------


def test_sessions_filter_by_coach_date_status_and_type(practice):
    a, b = str(practice["session_a"]), str(practice["session_b"])
    assert listed(practice, "admin", coach_id=str(practice["b"])) == [b]
    # Asking for a coach one may not see gives nothing, not someone else's sessions
    assert listed(practice, "a", coach_id=str(practice["b"])) == []
    assert listed(practice, "admin", session_type="group") == [a]
    assert listed(practice, "admin", date_from="2026-03-01", date_to="2026-03-31") == [a]
    assert listed(practice, "admin", date_from="2026-04-01", session_type="individual") == [b]
    assert listed(practice, "admin", status="failed") == []
    assert len(listed(practice, "admin", status="completed")) == 3


def test_pages_follow_the_cursor_to_the_end(practice):
    seen, cursor = [], None
    for _ in range(5):
        query = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        status, body = request("GET", "/v1/sessions", as_(practice, "admin"), query=query)
        assert status == 200
        seen += [item["session_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == listed(practice, "admin")
    assert len(set(seen)) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not-a-cursor"}, "query.cursor"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "query.date_to"),
        ({"status": "lost"}, "query.status"),
        ({"coach_id": "nobody"}, "query.coach_id"),
        ({"limit": "201"}, "query.limit"),
    ],
)
def test_bad_filters_are_422_naming_the_field(practice, query, field):
    status, body = request("GET", "/v1/sessions", as_(practice, "admin"), query=query)
    assert status == 422
    assert body["error"]["code"] == "COACH_422"
    assert [f["field"] for f in body["error"]["details"]["fields"]] == [field]


# -- supervision ---------------------------------------------------------------------------


def test_supervision_shows_a_coach_their_own_sessions_only(practice):
    def sessions_of(who: str) -> list[str]:
        status, body = request("GET", "/v1/supervision", as_(practice, who))
        assert status == 200
        return [s["session_id"] for s in body["sessions"]]

    assert sessions_of("a") == [str(practice["session_a"])]
    assert sessions_of("lead") == [str(practice["session_a"])]
    assert set(sessions_of("admin")) == {
        str(practice[k]) for k in ("session_a", "session_b", "session_none")
    }


# -- audit ---------------------------------------------------------------------------------


def test_reads_are_audited_with_ids_only(practice):
    org, session_a = practice["org"], practice["session_a"]
    user = uuid.uuid4()
    claims = claims_for(org, Role.COACH, coach_id=practice["a"], user_id=user)
    request("GET", f"/v1/sessions/{session_a}", claims)
    request("GET", f"/v1/sessions/{session_a}/status", claims)
    request("GET", "/v1/sessions", claims)
    mine = [e for e in audited(org, "read") if e.actor == f"user:{user}"]
    assert {e.resource_id for e in mine} == {str(session_a), None}
    listing = next(e for e in mine if e.resource_id is None)
    assert listing.details == {"session_ids": [str(session_a)]}
    assert all(e.source == "203.0.113.10" for e in mine)


# -- deletion ------------------------------------------------------------------------------


@pytest.fixture
def two_sessions(platform, organization):
    """Coach A's two sessions with the same clients: the first created them (pending)."""
    coach = add_coach(organization, "Maya Chen")
    first = process(platform, organization, "first", coach)
    second = process(platform, organization, "second", coach)
    return {"org": organization, "coach": coach, "first": first, "second": second}


def test_deleting_a_session_removes_it_everywhere(platform, organization):
    coach = add_coach(organization, "Maya Chen")
    session_id = process(platform, organization, "only", coach)
    session = platform.deps.sessions.get_session(organization, session_id)
    assert platform.deps.objects.exists(session.transcript_key)
    before = count_rows(organization, session_id)
    assert before["session_turns"] and before["summaries"] and before["search_passages"]
    assert before["pending_clients"] == 3 and before["executions"] == 1

    claims = claims_for(organization, Role.COACH, coach_id=coach)
    status = delete(f"/v1/sessions/{session_id}", claims)

    assert status == 204
    assert set(count_rows(organization, session_id).values()) == {0}
    assert not platform.deps.objects.exists(session.transcript_key)
    (entry,) = audited(organization, "delete", session_id)
    assert entry.details["files"] == 1
    assert entry.details["rows"]["sessions"] == 1
    # Gone for good: the same id is now a 404
    assert request("GET", f"/v1/sessions/{session_id}", claims)[0] == 404
    assert delete(f"/v1/sessions/{session_id}", claims) == 404


def test_clients_that_other_sessions_still_have_are_kept(two_sessions, platform):
    org = two_sessions["org"]
    claims = claims_for(org, Role.COACH, coach_id=two_sessions["coach"])
    assert delete(f"/v1/sessions/{two_sessions['first']}", claims) == 204
    # The pending clients the first session created still appear in the second
    status, body = request("GET", f"/v1/sessions/{two_sessions['second']}", claims)
    assert status == 200
    clients = [p for p in body["participants"] if p["role"] == "client"]
    assert len(clients) == 3
    assert all(p["summary"] is not None for p in clients)


def test_only_those_who_see_a_session_may_delete_it(two_sessions):
    org, first = two_sessions["org"], two_sessions["first"]
    other_coach = add_coach(org, "Bo Other")
    stranger = claims_for(org, Role.COACH, coach_id=other_coach)
    assert delete(f"/v1/sessions/{first}", stranger) == 404
    assert delete(f"/v1/sessions/{first}", claims_for(org, Role.SUPPORT)) == 403
    assert delete("/v1/sessions/not-a-uuid", claims_for(org, Role.ADMIN)) == 404
    # The admin may
    assert delete(f"/v1/sessions/{first}", claims_for(org, Role.ADMIN)) == 204


def test_a_session_still_processing_cannot_be_deleted(platform, organization):
    from coaching.domain.session import SessionRecord

    coach = add_coach(organization, "Maya Chen")
    busy = SessionRecord(
        id=uuid.uuid4(),
        organization_id=organization,
        coach_id=coach,
        source_name="running.vtt",
        transcript_key=f"transcripts/{organization}/running.vtt",
        content_sha256="0" * 64,
        processing_status="processing",
    )
    platform.deps.sessions.create_session(organization, busy)
    claims = claims_for(organization, Role.COACH, coach_id=coach)
    status, body = request("DELETE", f"/v1/sessions/{busy.id}", claims)
    assert status == 409
    assert body["error"]["code"] == "COACH_409"
    assert "wait" in body["error"]["message"].lower()
    assert platform.deps.sessions.get_session(organization, busy.id) is not None
