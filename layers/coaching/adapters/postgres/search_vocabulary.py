"""What search suggests and understands names from, in PostgreSQL: the clients and coaches a
caller may see, a coach's zone, and each user's recent questions (migration 0023)."""

from __future__ import annotations

import datetime as dt
import uuid

from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.visibility import coach_parameters, visible_coaches
from coaching.ports.search_vocabulary import NamedClient, NamedCoach

# How many questions a user keeps: enough for suggestions, no history beyond that.
KEPT_QUERIES = 20

_VISIBLE_CLIENTS = sql.SQL(
    "SELECT DISTINCT c.id, c.name, c.tags FROM clients c"
    " JOIN session_participants sp ON sp.client_id = c.id"
    " AND sp.organization_id = c.organization_id"
    " JOIN sessions s ON s.id = sp.session_id AND s.organization_id = sp.organization_id"
    " WHERE c.organization_id = %(org)s AND {} ORDER BY c.name, c.id"
).format(visible_coaches("s", "coach_id"))


class PostgresSearchVocabulary:
    def __init__(self, database: Database) -> None:
        self._db = database

    def clients(self, org: uuid.UUID, coach_ids: frozenset[uuid.UUID] | None) -> list[NamedClient]:
        with self._db.transaction(org) as conn:
            if coach_ids is None:  # an admin: every client on record, seen in a session or not
                rows = conn.execute(
                    "SELECT id, name, tags FROM clients WHERE organization_id = %s"
                    " ORDER BY name, id",
                    (org,),
                ).fetchall()
            else:
                rows = conn.execute(
                    _VISIBLE_CLIENTS, {"org": org, **coach_parameters(coach_ids)}
                ).fetchall()
        return [NamedClient(row["id"], row["name"], tuple(row["tags"] or ())) for row in rows]

    def coaches(self, org: uuid.UUID, coach_ids: frozenset[uuid.UUID] | None) -> list[NamedCoach]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT id, name FROM coaches WHERE organization_id = %(org)s AND {}"
                    " ORDER BY name, id"
                ).format(visible_coaches("id")),
                {"org": org, **coach_parameters(coach_ids)},
            ).fetchall()
        return [NamedCoach(row["id"], row["name"]) for row in rows]

    def time_zone(self, org: uuid.UUID, coach_id: uuid.UUID | None) -> str | None:
        if coach_id is None:
            return None
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT notification_preferences->>'time_zone' AS zone FROM coaches"
                " WHERE organization_id = %s AND id = %s",
                (org, coach_id),
            ).fetchone()
        return row["zone"] if row else None


class PostgresRecentQueries:
    def __init__(self, database: Database, kept: int = KEPT_QUERIES) -> None:
        self._db = database
        self._kept = kept

    def remember(self, org: uuid.UUID, user_id: uuid.UUID, query: str, at: dt.datetime) -> None:
        with self._db.transaction(org) as conn:
            # A suggestion, not a record: a crash may lose the last ones, and the search does
            # not wait for the disk (a flush is milliseconds on a busy one).
            conn.execute("SET LOCAL synchronous_commit = off")
            # Only a user on record keeps questions (a token whose user is gone keeps none).
            conn.execute(
                "INSERT INTO search_queries (organization_id, user_id, query, asked_at)"
                " SELECT %(org)s, %(user)s, %(query)s, %(at)s FROM users"
                " WHERE organization_id = %(org)s AND id = %(user)s"
                " ON CONFLICT (user_id, query) DO UPDATE SET asked_at = excluded.asked_at",
                {"org": org, "user": user_id, "query": query, "at": at},
            )
            conn.execute(
                "DELETE FROM search_queries WHERE organization_id = %(org)s"
                " AND user_id = %(user)s AND query NOT IN (SELECT query FROM search_queries"
                " WHERE organization_id = %(org)s AND user_id = %(user)s"
                " ORDER BY asked_at DESC, query LIMIT %(kept)s)",
                {"org": org, "user": user_id, "kept": self._kept},
            )

    def recent(self, org: uuid.UUID, user_id: uuid.UUID, limit: int) -> list[str]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT query FROM search_queries WHERE organization_id = %s AND user_id = %s"
                " ORDER BY asked_at DESC, query LIMIT %s",
                (org, user_id, limit),
            ).fetchall()
        return [row["query"] for row in rows]
