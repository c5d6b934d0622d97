"""What an export reads from PostgreSQL: approved summaries only, action items with whether
the next session showed them kept, sensitive items only when asked, one organization and the
owner's coaches only, and only what changed since a moment when asked."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.adapters.postgres.export_rows import PostgresExportRows
from coaching.exports.schemas import SCHEMAS
from tests.export_data import (
    approve,
    approve_all,
    flag_turns,
    practice,
    rename_client,
    summary_id_of,
)
from tests.local_ports import ports

pytestmark = pytest.mark.integration


def rows(org, entity, *, coach_ids=None, since=None, include_sensitive=False) -> list[dict]:
    source = PostgresExportRows(ports().database)
    return list(
        source.rows(
            org, entity, coach_ids=coach_ids, since=since, include_sensitive=include_sensitive
        )
    )


@pytest.fixture
def elenas(platform, organization):
    return practice(platform, organization)


def test_every_row_has_its_schemas_columns_in_order(elenas):
    approve_all(elenas["org"])
    for entity, schema in SCHEMAS.items():
        got = rows(elenas["org"], entity)
        assert got, entity
        for row in got:
            assert tuple(row) == schema.names, entity
            assert isinstance(row[schema.key], str)
            assert isinstance(row["updated_at"], dt.datetime)
            assert row["updated_at"].tzinfo is not None


def test_sessions_and_clients_go_out_with_what_was_measured(elenas):
    org = elenas["org"]
    sessions = rows(org, "sessions")
    assert [s["session_id"] for s in sessions] == [str(s) for s in elenas["sessions"]]
    assert [s["session_date"] for s in sessions] == [dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    assert sessions[0]["client_count"] == 2
    assert sessions[0]["coach_id"] == str(elenas["elena"])
    clients = {c["name"]: c for c in rows(org, "clients")}
    assert set(clients) == {"Priya Raman", "Tomas Berg"}
    priya = clients["Priya Raman"]
    assert (priya["session_count"], priya["last_session_date"]) == (2, dt.date(2025, 3, 10))
    assert priya["latest_engagement"] in ("high", "medium", "low", "silent")
    assert isinstance(priya["latest_priority"], float)
    assert priya["tags"] == []


def test_drafts_never_go_out(elenas):
    org = elenas["org"]
    assert rows(org, "summaries") == []
    assert rows(org, "action_items") == []
    week_1 = summary_id_of(org, elenas["priya"], elenas["sessions"][0])
    approve(org, week_1)
    assert [s["summary_id"] for s in rows(org, "summaries")] == [str(week_1)]
    assert {i["summary_id"] for i in rows(org, "action_items")} == {str(week_1)}


def test_action_items_say_whether_the_next_session_showed_them_kept(elenas):
    org = elenas["org"]
    approve_all(org)
    items = [i for i in rows(org, "action_items") if i["client_id"] == str(elenas["priya"])]
    week_1 = [i for i in items if i["session_id"] == str(elenas["sessions"][0])]
    by_text = {i["text"]: i for i in week_1}
    proposal = next(i for text, i in by_text.items() if "budget proposal" in text)
    mentoring = next(i for text, i in by_text.items() if "mentoring" in text)
    assert (proposal["kept"], mentoring["kept"]) == ("kept", "not_kept")
    assert (proposal["due"], proposal["due_phrase"]) == (dt.date(2025, 3, 7), "by Friday")
    assert proposal["owner"]
    # Tomas has no later session yet
    tomas = [i for i in rows(org, "action_items") if i["client_id"] == str(elenas["tomas"])]
    assert [i["kept"] for i in tomas] == ["pending"] * len(tomas) != []
    # A stable id: the same on every export
    again = {i["action_item_id"] for i in rows(org, "action_items")}
    assert {i["action_item_id"] for i in items} <= again
    summaries = {s["summary_id"]: s for s in rows(org, "summaries")}
    assert summaries[proposal["summary_id"]]["action_item_count"] == len(week_1)


def test_sensitive_items_stay_out_unless_asked(elenas):
    org = elenas["org"]
    week_1 = elenas["sessions"][0]
    approve_all(org)
    # Priya's mentoring commitment (turn 4) rests on a flagged turn
    flag_turns(org, week_1, [4])
    plain = [i["text"] for i in rows(org, "action_items")]
    assert not any("mentoring" in text for text in plain)
    asked = rows(org, "action_items", include_sensitive=True)
    flagged = [i for i in asked if "mentoring" in i["text"]]
    assert flagged
    assert all(i["sensitive"] for i in flagged)
    # The overview of a session with a flagged turn goes out only when asked too
    overview = {s["session_id"]: s["overview"] for s in rows(org, "sessions")}
    assert overview[str(week_1)] is None
    asked_overview = {
        s["session_id"]: s["overview"] for s in rows(org, "sessions", include_sensitive=True)
    }
    assert asked_overview[str(week_1)]


def test_a_coach_gets_their_own_clients_and_another_organization_nothing(platform, elenas):
    org = elenas["org"]
    approve_all(org)
    stranger = frozenset({elenas["stranger"]})
    for entity in SCHEMAS:
        assert rows(org, entity, coach_ids=stranger) == [], entity
        mine = rows(org, entity, coach_ids=frozenset({elenas["elena"]}))
        assert mine == rows(org, entity), entity
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    for entity in SCHEMAS:
        assert rows(other, entity) == [], entity


def test_since_carries_only_what_changed(elenas):
    org = elenas["org"]
    approve_all(org)
    with ports().database.transaction() as conn:
        moment = conn.execute("SELECT clock_timestamp() AS now").fetchone()["now"]
    for entity in SCHEMAS:
        assert rows(org, entity, since=moment) == [], entity
    rename_client(org, elenas["tomas"], "Tomas Bergson")
    assert [c["name"] for c in rows(org, "clients", since=moment)] == ["Tomas Bergson"]
    assert rows(org, "summaries", since=moment) == []
