"""Search's names and recent questions in PostgreSQL: only what the caller may see, each
user's own questions, scoped by organization, gone with the user."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.adapters.postgres.search_vocabulary import (
    PostgresRecentQueries,
    PostgresSearchVocabulary,
)
from tests.gateway_sign_in import new_user
from tests.local_ports import ports
from tests.review_data import add_coach, other_organization, reviewed_session

pytestmark = pytest.mark.integration
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def test_a_coach_gets_the_clients_of_their_sessions_and_an_admin_every_client(
    platform, organization
):
    # Given a session of Maya's with the sample's clients, and Ravi with none
    maya = add_coach(organization, "Maya Chen")
    ravi = add_coach(organization, "Ravi Shah")
    reviewed_session(platform, organization, maya)
    vocabulary = PostgresSearchVocabulary(ports().database)
    # Then Maya's clients are the session's, Ravi has none, an admin sees every one
    mine = vocabulary.clients(organization, frozenset({maya}))
    assert mine and {c.name for c in mine} == {
        c.name for c in vocabulary.clients(organization, None)
    }
    assert vocabulary.clients(organization, frozenset({ravi})) == []
    assert [c.name for c in vocabulary.coaches(organization, frozenset({ravi}))] == ["Ravi Shah"]
    assert {c.name for c in vocabulary.coaches(organization, None)} >= {"Maya Chen", "Ravi Shah"}
    # And another organization sees none of them
    other = other_organization(platform)
    assert vocabulary.clients(other, None) == []
    assert vocabulary.time_zone(organization, maya) is None


def test_recent_questions_are_the_users_own_newest_first_and_go_with_the_user(
    platform, organization
):
    recent = PostgresRecentQueries(ports().database, kept=3)
    _, asker = new_user(organization)
    _, someone_else = new_user(organization)
    for minute, question in enumerate(["one", "two", "three", "two", "four"]):
        recent.remember(organization, asker, question, T0 + dt.timedelta(minutes=minute))
    recent.remember(organization, someone_else, "theirs", T0)
    # Then the last three, asking again moved "two" up, nobody else's
    assert recent.recent(organization, asker, 10) == ["four", "two", "three"]
    assert recent.recent(organization, someone_else, 10) == ["theirs"]
    # And another organization's scope reads none of them
    assert recent.recent(other_organization(platform), asker, 10) == []
    # And a caller with no user on record (a key, a deleted user) keeps nothing
    ghost = uuid.uuid4()
    recent.remember(organization, ghost, "ghost", T0)
    assert recent.recent(organization, ghost, 10) == []
    # When the user is deleted, Then their questions go with them
    ports().accounts.remove_user(organization, asker)
    with ports().database.transaction() as conn:
        left = conn.execute(
            "SELECT count(*) AS n FROM search_queries WHERE user_id = %s", (asker,)
        ).fetchone()
    assert left["n"] == 0
