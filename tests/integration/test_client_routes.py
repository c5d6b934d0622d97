"""Client routes: listing who a caller may see, one client's history across sessions, erasure."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.domain.identity import Role
from tests.api_calls import claims_for, delete, request
from tests.export_data import WEEK_1, WEEK_2, process
from tests.local_ports import ports
from tests.review_data import add_coach

pytestmark = pytest.mark.integration

REDACTED = "[removed at the client's request]"


def client_id_of(org: uuid.UUID, name: str) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT id FROM clients WHERE organization_id = %s AND name = %s", (org, name)
        ).fetchone()["id"]


def audited(org: uuid.UUID, action: str, resource_id: uuid.UUID | None = None) -> list:
    entries = ports().audit_log.entries(org, resource_type="client")
    return [
        e
        for e in entries
        if e.action == action and (resource_id is None or e.resource_id == str(resource_id))
    ]


@pytest.fixture
def practice(platform, organization):
    """Elena's two sessions with Priya (week 1 with Tomas too); another coach with none."""
    elena = add_coach(organization, "Elena Park")
    week_1 = process(platform, organization, WEEK_1, dt.date(2025, 3, 3), elena)
    week_2 = process(platform, organization, WEEK_2, dt.date(2025, 3, 10), elena)
    return {
        "org": organization,
        "elena": elena,
        "lead": add_coach(organization, "Lee Lead"),
        "stranger": add_coach(organization, "Sam Other"),
        "sessions": [week_1, week_2],
        "priya": client_id_of(organization, "Priya Raman"),
        "tomas": client_id_of(organization, "Tomas Berg"),
    }


def as_coach(practice, who: str = "elena", role: Role = Role.COACH) -> dict:
    return claims_for(practice["org"], role, coach_id=practice[who])


def as_admin(org: uuid.UUID) -> dict:
    return claims_for(org, Role.ADMIN)


# --- GET /v1/clients ---------------------------------------------------------------------


def test_a_coach_lists_the_clients_of_their_sessions(practice):
    status, body = request("GET", "/v1/clients", as_coach(practice))
    assert status == 200
    by_name = {item["name"]: item for item in body["items"]}
    assert list(by_name) == ["Priya Raman", "Tomas Berg"]
    priya = by_name["Priya Raman"]
    assert priya["id"] == str(practice["priya"])
    assert priya["status"] == "pending"
    assert priya["sessions"] == 2
    assert priya["last_session_date"] == "2025-03-10"
    assert priya["latest_engagement"] in ("high", "medium", "low", "silent")
    assert isinstance(priya["latest_priority"], float)
    assert by_name["Tomas Berg"]["sessions"] == 1
    assert body["next_offset"] is None
    # The read is audited with the ids it showed
    entry = audited(practice["org"], "read")[0]
    assert sorted(entry.details["client_ids"]) == sorted(
        str(practice[k]) for k in ("priya", "tomas")
    )


def test_the_clients_to_follow_up_first_come_by_priority(practice):
    org = practice["org"]

    def set_latest_priority(client: str, score: float) -> None:
        with ports().database.transaction(org) as conn:
            conn.execute(
                "UPDATE client_sessions SET priority_score = %s WHERE client_id = %s",
                (score, practice[client]),
            )

    # Tomas (after Priya by name) needs following up more than Priya
    set_latest_priority("priya", 0.2)
    set_latest_priority("tomas", 0.9)
    query = {"sort": "priority"}
    status, body = request("GET", "/v1/clients", as_coach(practice), query=query)
    assert status == 200, body
    assert [(c["name"], c["latest_priority"]) for c in body["items"]] == [
        ("Tomas Berg", 0.9),
        ("Priya Raman", 0.2),
    ]
    # By name stays the default; an unknown order is refused
    _, by_name = request("GET", "/v1/clients", as_coach(practice))
    assert [c["name"] for c in by_name["items"]] == ["Priya Raman", "Tomas Berg"]
    wrong = {"sort": "mood"}
    assert request("GET", "/v1/clients", as_coach(practice), query=wrong)[0] == 422


def test_clients_filter_by_name_and_status_and_page(practice):
    status, body = request("GET", "/v1/clients", as_coach(practice), query={"q": "prIYa"})
    assert [i["name"] for i in body["items"]] == ["Priya Raman"]
    status, body = request("GET", "/v1/clients", as_coach(practice), query={"status": "active"})
    assert (status, body["items"]) == (200, [])
    status, body = request("GET", "/v1/clients", as_coach(practice), query={"limit": "1"})
    assert [i["name"] for i in body["items"]] == ["Priya Raman"]
    assert body["next_offset"] == 1
    status, body = request(
        "GET", "/v1/clients", as_coach(practice), query={"limit": "1", "offset": "1"}
    )
    assert [i["name"] for i in body["items"]] == ["Tomas Berg"]
    assert body["next_offset"] is None
    # A wildcard in the search is a character, not a pattern
    status, body = request("GET", "/v1/clients", as_coach(practice), query={"q": "%"})
    assert body["items"] == []


def test_who_sees_which_clients(practice, platform):
    org = practice["org"]
    # Another coach sees none of Elena's clients
    status, body = request("GET", "/v1/clients", as_coach(practice, "stranger"))
    assert (status, body["items"]) == (200, [])
    # Elena's lead sees her team's clients
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE coaches SET lead_coach_id = %s WHERE id = %s",
            (practice["lead"], practice["elena"]),
        )
    status, body = request("GET", "/v1/clients", as_coach(practice, "lead", Role.COACH_LEAD))
    assert len(body["items"]) == 2
    # An admin sees every client of the organization, with sessions or not
    with ports().database.transaction(org) as conn:
        conn.execute(
            "INSERT INTO clients (organization_id, name, status) VALUES (%s, 'Zoe New', 'active')",
            (org,),
        )
    status, body = request("GET", "/v1/clients", as_admin(org))
    assert [i["name"] for i in body["items"]] == ["Priya Raman", "Tomas Berg", "Zoe New"]
    assert body["items"][2]["sessions"] == 0
    # Another organization sees nothing of them
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    status, body = request("GET", "/v1/clients", as_admin(other))
    assert (status, body["items"]) == (200, [])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "archived"}, "query.status"),
        ({"limit": "0"}, "query.limit"),
        ({"offset": "-1"}, "query.offset"),
        ({"q": "x" * 101}, "query.q"),
    ],
)
def test_a_bad_list_query_is_422(practice, query, field):
    status, body = request("GET", "/v1/clients", as_coach(practice), query=query)
    assert status == 422
    assert body["error"]["code"] == "COACH_422"
    assert [f["field"] for f in body["error"]["details"]["fields"]] == [field]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/clients"),
        ("GET", f"/v1/clients/{uuid.uuid4()}"),
        ("DELETE", f"/v1/clients/{uuid.uuid4()}"),
    ],
)
def test_support_staff_see_no_clients(organization, method, path):
    status, body = request(method, path, claims_for(organization, Role.SUPPORT))
    assert status == 403
    assert body["error"]["code"] == "COACH_403"


# --- GET /v1/clients/{id} ----------------------------------------------------------------


def test_a_client_history_judges_commitments_from_the_next_session(practice):
    status, body = request("GET", f"/v1/clients/{practice['priya']}", as_coach(practice))
    assert status == 200
    assert (body["id"], body["name"]) == (str(practice["priya"]), "Priya Raman")
    week_1, week_2 = body["sessions"]
    # Oldest first, each session with what was measured there
    assert [week_1["session_id"], week_2["session_id"]] == [str(s) for s in practice["sessions"]]
    assert (week_1["session_date"], week_2["session_date"]) == ("2025-03-03", "2025-03-10")
    assert week_1["speaking_time_seconds"] > 0
    assert 0 < week_1["speaking_share"] < 1
    assert week_1["summary_status"] == "draft"
    # Week 1's commitments, judged from what she said in week 2
    kept = {c["text"]: c for c in week_1["commitments"]}
    proposal = next(c for text, c in kept.items() if "budget proposal" in text)
    mentoring = next(c for text, c in kept.items() if "mentoring" in text)
    assert proposal["kept"] == "kept"
    # "by Friday", said on Monday 3 March (issue 16)
    assert (proposal["due"], proposal["due_phrase"]) == ("2025-03-07", "by Friday")
    assert proposal["kept_evidence"]["session_id"] == week_2["session_id"]
    assert proposal["kept_evidence"]["turn"] == 1
    assert proposal["kept_evidence"]["time"] == pytest.approx(8.0)
    assert proposal["kept_evidence"]["said_by"] == "client"
    assert mentoring["kept"] == "not_kept"
    assert mentoring["kept_evidence"]["turn"] == 3
    # Whatever week 2 promised has no later session yet
    assert all(c["kept"] == "pending" for c in week_2["commitments"])
    assert body["commitments"]["kept"] == 1
    assert body["commitments"]["not_kept"] == 1
    # The engagement trend over both sessions
    trend = body["engagement_trend"]
    assert [p["session_id"] for p in trend["series"]] == [str(s) for s in practice["sessions"]]
    assert trend["direction"] in ("rising", "falling", "steady")
    assert isinstance(trend["slope"], float)
    # The read is audited with the sessions it showed
    entry = audited(practice["org"], "read", practice["priya"])[0]
    assert entry.details["session_ids"] == [str(s) for s in practice["sessions"]]


def test_an_edited_summary_commitments_are_the_coachs(practice):
    org = practice["org"]
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE summaries SET coach_edited_version = %s::jsonb, approved_at = now()"
            " WHERE client_session_id = (SELECT id FROM client_sessions"
            " WHERE client_id = %s AND session_id = %s)",
            (
                '{"action_items": [{"text": "Call the landlord about the lease.",'
                ' "evidence": []}]}',
                practice["priya"],
                practice["sessions"][0],
            ),
        )
    status, body = request("GET", f"/v1/clients/{practice['priya']}", as_coach(practice))
    week_1 = body["sessions"][0]
    assert week_1["summary_status"] == "approved"
    assert [(c["text"], c["kept"]) for c in week_1["commitments"]] == [
        ("Call the landlord about the lease.", "unclear")
    ]


def test_a_client_the_caller_cannot_see_is_404(practice, platform):
    path = f"/v1/clients/{practice['priya']}"
    # Another coach of the organization
    status, body = request("GET", path, as_coach(practice, "stranger"))
    assert (status, body["error"]["code"]) == (404, "COACH_404")
    # Another organization's admin
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    status, body = request("GET", path, as_admin(other))
    assert (status, body["error"]["code"]) == (404, "COACH_404")
    # No such client
    status, _ = request("GET", f"/v1/clients/{uuid.uuid4()}", as_admin(practice["org"]))
    assert status == 404
    assert audited(practice["org"], "read", practice["priya"]) == []


def test_a_malformed_client_id_is_422(organization):
    status, body = request("GET", "/v1/clients/not-an-id", claims_for(organization, Role.ADMIN))
    assert status == 422
    assert [f["field"] for f in body["error"]["details"]["fields"]] == ["path.client_id"]


# --- DELETE /v1/clients/{id} -------------------------------------------------------------


def test_an_admin_erases_a_client_everywhere(practice):
    org, priya = practice["org"], practice["priya"]
    week_1, week_2 = practice["sessions"]
    assert delete(f"/v1/clients/{priya}", as_admin(org)) == 204
    db = ports().database
    with db.transaction(org) as conn:

        def count(sql: str, *args) -> int:
            return conn.execute(sql, args).fetchone()["n"]

        assert count("SELECT count(*) AS n FROM clients WHERE id = %s", priya) == 0
        assert count("SELECT count(*) AS n FROM client_sessions WHERE client_id = %s", priya) == 0
        assert count("SELECT count(*) AS n FROM follow_ups WHERE client_id = %s", priya) == 0
        assert (
            count(
                "SELECT count(*) AS n FROM session_participants WHERE client_id = %s"
                " OR name = 'Priya Raman'",
                priya,
            )
            == 0
        )
        # Her words are gone from the stored turns, her name from everyone's
        assert (
            count(
                "SELECT count(*) AS n FROM session_turns WHERE organization_id = %s"
                " AND (text ILIKE '%%budget proposal%%' OR text ILIKE '%%Priya%%'"
                " OR speaker = 'Priya Raman')",
                org,
            )
            == 0
        )
        # Three turns of hers in each session, in place, without their words
        assert (
            count(
                "SELECT count(*) AS n FROM session_turns WHERE organization_id = %s"
                " AND text = %s AND speaker = 'Removed client'",
                org,
                REDACTED,
            )
            == 6
        )
        # Her speaking statistics stay, unnamed, so the others' shares still add up
        removed = conn.execute(
            "SELECT role, speaking_time_seconds FROM session_participants"
            " WHERE session_id = %s AND name = 'Removed client'",
            (week_1,),
        ).fetchone()
        assert removed["role"] == "client"
        assert removed["speaking_time_seconds"] > 0
        # Nothing of hers is searchable; the overviews were written again without her
        assert (
            count(
                "SELECT count(*) AS n FROM search_passages WHERE organization_id = %s"
                " AND (client_name = 'Priya Raman' OR text ILIKE '%%Priya%%')",
                org,
            )
            == 0
        )
        # ... and both sessions are searchable again from what remains
        assert (
            conn.execute(
                "SELECT count(DISTINCT session_id) AS n FROM search_passages"
                " WHERE session_id = ANY(%s)",
                ([week_1, week_2],),
            ).fetchone()["n"]
            == 2
        )
        overviews = conn.execute(
            "SELECT session_summary FROM sessions WHERE id = ANY(%s)", ([week_1, week_2],)
        ).fetchall()
        assert all(row["session_summary"] for row in overviews)
        assert not any("Priya" in row["session_summary"] for row in overviews)
        # Tomas, in the same session, keeps everything
        assert (
            count(
                "SELECT count(*) AS n FROM client_sessions WHERE client_id = %s", practice["tomas"]
            )
            == 1
        )
    # The erasure is audited, saying the transcript files still hold her words
    entry = audited(org, "delete", priya)[0]
    assert entry.details["transcript_files_kept"] == 2
    assert sorted(entry.details["session_ids"]) == sorted(str(s) for s in (week_1, week_2))
    # She is gone from the API too
    status, _ = request("GET", f"/v1/clients/{priya}", as_admin(org))
    assert status == 404
    status, session = request("GET", f"/v1/sessions/{week_1}", as_admin(org))
    assert "Priya Raman" not in {p["name"] for p in session["participants"]}


def test_erasure_reaches_a_failed_sessions_turns_too(practice, platform):
    # Given week 2 failed and its results were discarded: its turns no longer link Priya
    org, week_2 = practice["org"], practice["sessions"][1]
    platform.deps.results.discard_results(org, week_2)
    platform.deps.sessions.update_session(org, week_2, processing_status="failed")
    status = delete(f"/v1/clients/{practice['priya']}", as_admin(org))
    assert status == 204
    with ports().database.transaction(org) as conn:
        speakers = [
            row["speaker"]
            for row in conn.execute(
                "SELECT speaker FROM session_turns WHERE session_id = %s AND text = %s",
                (week_2, REDACTED),
            ).fetchall()
        ]
    assert speakers == ["Removed client"] * 3
    assert audited(org, "delete", practice["priya"])[0].details["transcript_files_kept"] == 2


def test_only_admins_erase_and_only_their_own_organizations_clients(practice, platform):
    path = f"/v1/clients/{practice['priya']}"
    # A coach who sees her may not erase her: erasure is an admin's task
    status, body = request("DELETE", path, as_coach(practice))
    assert (status, body["error"]["code"]) == (403, "COACH_403")
    # Another organization's admin finds no such client
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    status, body = request("DELETE", path, as_admin(other))
    assert (status, body["error"]["code"]) == (404, "COACH_404")
    # A malformed id is a bad request
    status, body = request("DELETE", "/v1/clients/nope", as_admin(practice["org"]))
    assert status == 422
    # She is still there
    status, _ = request("GET", path, as_coach(practice))
    assert status == 200
    assert audited(practice["org"], "delete") == []
