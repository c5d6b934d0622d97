"""ClientStore on PostgreSQL: clients across sessions, and erasing one. Scoped by organization."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any

import psycopg
from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.visibility import coach_parameters, visible_coaches
from coaching.analysis.summary.lexicon import stop_words
from coaching.domain.clients import (
    REMOVED_NAME,
    REMOVED_TEXT,
    Appearance,
    ClientOverview,
    ClientRecord,
    ClientStatus,
    CoachIds,
    Erasure,
)
from coaching.domain.transcript import Turn

NAME_REMOVED = "[name removed]"

# The sessions a caller may see, as SQL over `s` (sessions).
_VISIBLE = visible_coaches("s", "coach_id")
# Every visible, not failed session each client appears in.
_APPEARANCES = sql.SQL(
    "SELECT sp.client_id, s.id AS session_id, s.created_at,"
    " COALESCE(s.session_date, s.created_at::date) AS day"
    " FROM session_participants sp JOIN sessions s"
    " ON s.id = sp.session_id AND s.organization_id = sp.organization_id"
    " WHERE sp.organization_id = %(org)s AND sp.client_id IS NOT NULL"
    " AND s.processing_status <> 'failed' AND {}"
).format(_VISIBLE)


# The follow-up queue: the latest session's priority, highest first; unanalysed clients last.
_PRIORITY_FIRST = sql.SQL("analysed.priority_score DESC NULLS LAST,")


class PostgresClientStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def list_clients(  # noqa: PLR0913 - one query's filters, keyword-only after the scope
        self,
        org: uuid.UUID,
        coach_ids: CoachIds,
        *,
        status: ClientStatus | None,
        name_contains: str | None,
        limit: int,
        offset: int,
        email_indexes: list[bytes] | None = None,
        by_priority: bool = False,
    ) -> list[ClientOverview]:
        pattern = None if not name_contains else f"%{_escape_like(name_contains)}%"
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "WITH seen AS ({}),"
                    " counted AS (SELECT client_id, count(*) AS sessions FROM seen GROUP BY"
                    " client_id),"
                    " last_seen AS (SELECT DISTINCT ON (client_id) client_id, day FROM seen"
                    "  ORDER BY client_id, day DESC, created_at DESC),"
                    " analysed AS (SELECT DISTINCT ON (seen.client_id) seen.client_id,"
                    "  cs.engagement_level, cs.priority_score FROM seen JOIN client_sessions cs"
                    "  ON cs.client_id = seen.client_id AND cs.session_id = seen.session_id"
                    "  ORDER BY seen.client_id, seen.day DESC, seen.created_at DESC)"
                    " SELECT c.id, c.name, c.status, COALESCE(counted.sessions, 0) AS sessions,"
                    " last_seen.day AS last_session_date, analysed.engagement_level,"
                    " analysed.priority_score, c.email_suppressed_at IS NOT NULL AS suppressed"
                    " FROM clients c LEFT JOIN counted ON counted.client_id = c.id"
                    " LEFT JOIN last_seen ON last_seen.client_id = c.id"
                    " LEFT JOIN analysed ON analysed.client_id = c.id"
                    " WHERE c.organization_id = %(org)s AND (%(all)s OR counted.sessions IS NOT"
                    " NULL)"
                    " AND (%(status)s::text IS NULL OR c.status = %(status)s)"
                    " AND (%(pattern)s::text IS NULL OR c.name ILIKE %(pattern)s)"
                    " AND (%(indexes)s::bytea[] IS NULL OR c.email_index ="
                    " ANY(%(indexes)s::bytea[]))"
                    " ORDER BY {} lower(c.name), c.id LIMIT %(limit)s OFFSET %(offset)s"
                ).format(_APPEARANCES, _PRIORITY_FIRST if by_priority else sql.SQL("")),
                {
                    "org": org,
                    **coach_parameters(coach_ids),
                    "status": status,
                    "pattern": pattern,
                    "indexes": email_indexes,
                    "limit": limit,
                    "offset": offset,
                },
            ).fetchall()
        return [
            ClientOverview(
                id=row["id"],
                name=row["name"],
                status=row["status"],
                sessions=row["sessions"],
                last_session_date=row["last_session_date"],
                latest_engagement=row["engagement_level"],
                latest_priority=_number(row["priority_score"]),
                email_suppressed=row["suppressed"],
            )
            for row in rows
        ]

    def get_client(
        self, org: uuid.UUID, coach_ids: CoachIds, client_id: uuid.UUID
    ) -> ClientRecord | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT c.id, c.name, c.status, c.created_at FROM clients c"
                    " WHERE c.organization_id = %(org)s AND c.id = %(client)s"
                    " AND (%(all)s OR EXISTS (SELECT 1 FROM ({}) seen"
                    " WHERE seen.client_id = c.id))"
                ).format(_APPEARANCES),
                {"org": org, "client": client_id, **coach_parameters(coach_ids)},
            ).fetchone()
        return ClientRecord(**row) if row else None

    def appearances(
        self, org: uuid.UUID, coach_ids: CoachIds, client_id: uuid.UUID
    ) -> list[Appearance]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT s.id AS session_id, COALESCE(s.session_date, s.created_at::date) AS"
                    " day,"
                    " s.session_type, s.coach_name, sp.name AS speaker, sp.speaking_time_seconds,"
                    " sp.speaking_share, cs.engagement_level, cs.priority_score,"
                    " COALESCE(jsonb_array_length(cs.breakthroughs), 0) AS breakthroughs,"
                    " su.id AS summary_id, su.action_items, su.coach_edited_version,"
                    " su.approved_at,"
                    " (SELECT count(*) FROM session_participants o WHERE o.organization_id ="
                    " %(org)s"
                    "  AND o.session_id = s.id AND o.role = 'client') = 1 AS sole_client"
                    " FROM session_participants sp JOIN sessions s"
                    " ON s.id = sp.session_id AND s.organization_id = sp.organization_id"
                    " LEFT JOIN client_sessions cs"
                    " ON cs.session_id = sp.session_id AND cs.client_id = sp.client_id"
                    " LEFT JOIN summaries su ON su.client_session_id = cs.id"
                    " WHERE sp.organization_id = %(org)s AND sp.client_id = %(client)s"
                    " AND s.processing_status <> 'failed' AND {}"
                    " ORDER BY COALESCE(s.session_date, s.created_at::date), s.created_at, s.id"
                ).format(_VISIBLE),
                {"org": org, "client": client_id, **coach_parameters(coach_ids)},
            ).fetchall()
        return [
            Appearance(
                session_id=row["session_id"],
                session_date=row["day"],
                session_type=row["session_type"],
                coach_name=row["coach_name"],
                speaker=row["speaker"],
                sole_client=row["sole_client"],
                speaking_time_seconds=row["speaking_time_seconds"],
                speaking_share=row["speaking_share"],
                engagement_level=row["engagement_level"],
                priority_score=_number(row["priority_score"]),
                breakthroughs=row["breakthroughs"],
                summary_status=(
                    None
                    if row["summary_id"] is None
                    else ("approved" if row["approved_at"] else "draft")
                ),
                action_items=current_action_items(row),
            )
            for row in rows
        ]

    def turns_of(self, org: uuid.UUID, session_id: uuid.UUID, speakers: list[str]) -> list[Turn]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT turn_index AS index, speaker, start_seconds AS start,"
                " end_seconds AS end, text FROM session_turns"
                " WHERE organization_id = %s AND session_id = %s AND speaker = ANY(%s)"
                " ORDER BY turn_index",
                (org, session_id, speakers),
            ).fetchall()
        return [Turn.model_validate(row) for row in rows]

    def erase_client(self, org: uuid.UUID, client_id: uuid.UUID) -> Erasure | None:
        with self._db.transaction(org) as conn:
            client = conn.execute(
                "SELECT name FROM clients WHERE organization_id = %s AND id = %s FOR UPDATE",
                (org, client_id),
            ).fetchone()
            if client is None:
                return None
            removed: Counter[str] = Counter()
            participations = conn.execute(
                "SELECT session_id, name, aliases FROM session_participants"
                " WHERE organization_id = %s AND client_id = %s",
                (org, client_id),
            ).fetchall()
            # Sessions whose results were discarded (a failed run) keep their turns but no
            # longer link the client: found by the speaker's name.
            participations += [
                {"session_id": row["session_id"], "name": client["name"], "aliases": []}
                for row in conn.execute(
                    "SELECT DISTINCT session_id FROM session_turns WHERE organization_id = %s"
                    " AND speaker = %s AND NOT (session_id = ANY(%s))",
                    (org, client["name"], [p["session_id"] for p in participations]),
                ).fetchall()
            ]
            for participation in participations:
                removed.update(_erase_participation(conn, org, participation))
            sessions = {p["session_id"] for p in participations} | {
                row["session_id"]
                for row in conn.execute(
                    "SELECT session_id FROM client_sessions"
                    " WHERE organization_id = %s AND client_id = %s",
                    (org, client_id),
                ).fetchall()
            }
            # Their words and their name may be in any passage of these sessions (a passage
            # joins short turns of several speakers; others' turns name them): all go now,
            # and the use case indexes the sessions again from what remains.
            passage_ids = [
                row["id"]
                for row in conn.execute(
                    "DELETE FROM search_passages WHERE organization_id = %s"
                    " AND (session_id = ANY(%s) OR client_id = %s) RETURNING id",
                    (org, list(sessions), client_id),
                ).fetchall()
            ]
            removed["search_passages"] = len(passage_ids)
            # Their turns changed, so their sessions did: a restore of a search backup taken
            # before now skips these sessions (usecases/search_backup.py).
            conn.execute(
                "UPDATE sessions SET updated_at = now()"
                " WHERE organization_id = %s AND id = ANY(%s)",
                (org, list(sessions)),
            )
            # Overviews name the client and quote their phrases: cleared here, written again
            # from what remains by the use case.
            cleared = [
                row["id"]
                for row in conn.execute(
                    "UPDATE sessions SET session_summary = NULL, updated_at = now()"
                    " WHERE organization_id = %s AND id = ANY(%s) AND session_summary IS NOT NULL"
                    " RETURNING id",
                    (org, list(sessions)),
                ).fetchall()
            ]
            for table, condition in _ERASE_CLIENT_ROWS:
                cursor = conn.execute(
                    sql.SQL("DELETE FROM {} WHERE organization_id = %(org)s AND {}").format(
                        sql.Identifier(table), condition
                    ),
                    {"org": org, "client": client_id},
                )
                removed[table] += cursor.rowcount
        return Erasure(
            sessions=sorted(sessions),
            overviews_cleared=cleared,
            removed=dict(removed),
            passage_ids=sorted(passage_ids),
        )


# Children before parents.
_THEIR_SUMMARIES = sql.SQL(
    "SELECT su.id FROM summaries su JOIN client_sessions cs ON cs.id = su.client_session_id"
    " WHERE cs.organization_id = %(org)s AND cs.client_id = %(client)s"
)
_ERASE_CLIENT_ROWS = [
    (
        "follow_ups",
        sql.SQL("(client_id = %(client)s OR summary_id IN ({}))").format(_THEIR_SUMMARIES),
    ),
    ("summary_revisions", sql.SQL("summary_id IN ({})").format(_THEIR_SUMMARIES)),
    ("summaries", sql.SQL("id IN ({})").format(_THEIR_SUMMARIES)),
    ("client_sessions", sql.SQL("client_id = %(client)s")),
    ("clients", sql.SQL("id = %(client)s")),
]


def _erase_participation(
    conn: psycopg.Connection, org: uuid.UUID, participation: dict[str, Any]
) -> Counter[str]:
    """In one session: their turns redacted, their name gone from the others' turns, their
    step records deleted; their speaking statistics kept, unnamed."""
    session_id = participation["session_id"]
    spellings = [participation["name"], *participation["aliases"]]
    label = _free_label(conn, org, session_id)
    removed: Counter[str] = Counter()
    removed["session_turns_redacted"] = conn.execute(
        "UPDATE session_turns SET text = %s, speaker = %s, sensitive_categories = '{}'"
        " WHERE organization_id = %s AND session_id = %s AND speaker = ANY(%s)",
        (REMOVED_TEXT, label, org, session_id, spellings),
    ).rowcount
    removed["session_turns_name_removed"] = _remove_name(conn, org, session_id, spellings)
    # The analysis step's record of this client (keyed by their name).
    removed["step_runs"] = conn.execute(
        "DELETE FROM step_runs WHERE organization_id = %s AND session_id = %s AND item = ANY(%s)",
        (org, session_id, spellings),
    ).rowcount
    removed["session_participants_unnamed"] = conn.execute(
        "UPDATE session_participants SET name = %s, client_id = NULL, aliases = '{}'"
        " WHERE organization_id = %s AND session_id = %s AND name = %s",
        (label, org, session_id, participation["name"]),
    ).rowcount
    return removed


def _free_label(conn: psycopg.Connection, org: uuid.UUID, session_id: uuid.UUID) -> str:
    """The label of an erased client: "Removed client", "Removed client 2"..."""
    taken = {
        row["name"]
        for row in conn.execute(
            "SELECT name FROM session_participants WHERE organization_id = %s"
            " AND session_id = %s AND name LIKE %s",
            (org, session_id, f"{REMOVED_NAME}%"),
        ).fetchall()
    }
    number = 1
    while (label := REMOVED_NAME if number == 1 else f"{REMOVED_NAME} {number}") in taken:
        number += 1
    return label


def _remove_name(
    conn: psycopg.Connection, org: uuid.UUID, session_id: uuid.UUID, spellings: list[str]
) -> int:
    """Replaces the client's name in other speakers' turns: every spelling of the full name,
    and the first name alone (matching case) unless another speaker shares it or it is an
    everyday word ("Will", "May")."""
    others = {
        row["name"].split()[0].casefold()
        for row in conn.execute(
            "SELECT name FROM session_participants WHERE organization_id = %s"
            " AND session_id = %s AND NOT (name = ANY(%s))",
            (org, session_id, spellings),
        ).fetchall()
        if row["name"].split()
    }
    patterns = [re.compile(rf"(?<!\w){re.escape(s)}(?!\w)", re.IGNORECASE) for s in spellings]
    firsts = {s.split()[0] for s in spellings if len(s.split()) > 1}
    for first in firsts:
        if len(first) >= 3 and first.casefold() not in others | stop_words():
            patterns.append(re.compile(rf"(?<!\w){re.escape(first)}(?!\w)"))
    rows = conn.execute(
        "SELECT turn_index, text FROM session_turns WHERE organization_id = %s"
        " AND session_id = %s AND text <> %s",
        (org, session_id, REMOVED_TEXT),
    ).fetchall()
    changed = []
    for row in rows:
        text = row["text"]
        for pattern in patterns:
            text = pattern.sub(NAME_REMOVED, text)
        if text != row["text"]:
            changed.append((text, org, session_id, row["turn_index"]))
    if changed:
        with conn.cursor() as cursor:
            cursor.executemany(
                "UPDATE session_turns SET text = %s"
                " WHERE organization_id = %s AND session_id = %s AND turn_index = %s",
                changed,
            )
    return len(changed)


def current_action_items(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The coach's version when they edited (what is approved, once approved), else the
    AI's draft."""
    edited = row["coach_edited_version"]
    if isinstance(edited, dict) and isinstance(edited.get("action_items"), list):
        return edited["action_items"]
    return row["action_items"] or []


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
