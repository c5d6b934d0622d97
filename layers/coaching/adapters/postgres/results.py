"""Results on PostgreSQL: client_sessions and their summary drafts (summaries)."""

from __future__ import annotations

import uuid

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.client_store import current_action_items
from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.pending_clients import delete_session_rows
from coaching.domain.errors import NotFound
from coaching.domain.reruns import ReviewedWords
from coaching.domain.results import ClientAnalysis, ClientSummary

# What compensation removes, children before parents; the session row and its turns stay.
# The pending clients the session created go last (pending_clients.py).
_DERIVED_ROWS = [
    ("search_passages", sql.SQL("session_id = %s")),
    ("notifications", sql.SQL("session_id = %s AND kind <> 'failure'")),
    (
        "summaries",
        sql.SQL("client_session_id IN (SELECT id FROM client_sessions WHERE session_id = %s)"),
    ),
    ("client_sessions", sql.SQL("session_id = %s")),
    ("session_participants", sql.SQL("session_id = %s")),
]


# The summary of the client's latest session before this one (a failed one never counts).
_PREVIOUS_COMMITMENTS = (
    "SELECT su.action_items, su.coach_edited_version"
    " FROM session_participants me"
    " JOIN sessions this ON this.id = me.session_id AND this.organization_id = me.organization_id"
    " JOIN session_participants sp ON sp.client_id = me.client_id"
    "  AND sp.organization_id = me.organization_id AND sp.session_id <> me.session_id"
    " JOIN sessions s ON s.id = sp.session_id AND s.organization_id = sp.organization_id"
    " JOIN client_sessions cs ON cs.session_id = sp.session_id AND cs.client_id = sp.client_id"
    " JOIN summaries su ON su.client_session_id = cs.id"
    " WHERE me.organization_id = %s AND me.session_id = %s AND me.name = %s"
    " AND me.client_id IS NOT NULL AND s.processing_status <> 'failed'"
    " AND (COALESCE(s.session_date, s.created_at::date), s.created_at)"
    "  < (COALESCE(this.session_date, this.created_at::date), this.created_at)"
    " ORDER BY COALESCE(s.session_date, s.created_at::date) DESC, s.created_at DESC"
    " LIMIT 1"
)


class PostgresResults:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save_client_analysis(
        self, org: uuid.UUID, session_id: uuid.UUID, client_name: str, analysis: ClientAnalysis
    ) -> None:
        summary = analysis.summary.model_dump(mode="json")
        with self._db.transaction(org) as conn:
            participant = conn.execute(
                "SELECT client_id, speaking_time_seconds FROM session_participants"
                " WHERE organization_id = %s AND session_id = %s AND name = %s",
                (org, session_id, client_name),
            ).fetchone()
            if participant is None or participant["client_id"] is None:
                raise NotFound(f"{client_name} is not a client of session {session_id}.")
            client_session = conn.execute(
                "INSERT INTO client_sessions (organization_id, client_id, session_id,"
                " speaking_time_seconds, engagement_level, breakthrough_detected, priority_score,"
                " breakthroughs) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (client_id, session_id) DO UPDATE SET"
                " speaking_time_seconds = EXCLUDED.speaking_time_seconds,"
                " engagement_level = EXCLUDED.engagement_level,"
                " breakthrough_detected = EXCLUDED.breakthrough_detected,"
                " priority_score = EXCLUDED.priority_score,"
                " breakthroughs = EXCLUDED.breakthroughs RETURNING id",
                (
                    org,
                    participant["client_id"],
                    session_id,
                    round(participant["speaking_time_seconds"]),
                    analysis.engagement_level,
                    analysis.breakthrough_detected,
                    round(analysis.priority_score, 2),
                    Jsonb([m.model_dump(mode="json") for m in analysis.breakthroughs]),
                ),
            ).fetchone()
            conn.execute(
                "INSERT INTO summaries (organization_id, client_session_id, wins, challenges,"
                " action_items, coach_recommendations, ai_version)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (client_session_id) DO UPDATE SET wins = EXCLUDED.wins,"
                " challenges = EXCLUDED.challenges, action_items = EXCLUDED.action_items,"
                " coach_recommendations = EXCLUDED.coach_recommendations,"
                " ai_version = EXCLUDED.ai_version",
                (
                    org,
                    client_session["id"],
                    Jsonb(summary["wins"]),
                    Jsonb(summary["challenges"]),
                    Jsonb(summary["action_items"]),
                    Jsonb(summary["coach_recommendations"]),
                    Jsonb(analysis.model_dump(mode="json")),
                ),
            )

    def load_client_analyses(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> dict[str, ClientAnalysis]:
        with self._db.transaction(org) as conn:
            return client_analyses(conn, org, session_id)

    def previous_commitments(
        self, org: uuid.UUID, session_id: uuid.UUID, client_name: str
    ) -> list[str]:
        with self._db.transaction(org) as conn:
            row = conn.execute(_PREVIOUS_COMMITMENTS, (org, session_id, client_name)).fetchone()
        if row is None:
            return []
        return [str(item["text"]) for item in current_action_items(row) if item.get("text")]

    def discard_results(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        with self._db.transaction(org) as conn:
            return delete_session_rows(conn, org, session_id, _DERIVED_ROWS)

    def reviewed_words(self, org: uuid.UUID, session_id: uuid.UUID) -> ReviewedWords:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "WITH mine AS (SELECT s.id, s.approved_at, s.coach_edited_version"
                "  FROM summaries s JOIN client_sessions cs ON cs.id = s.client_session_id"
                "  WHERE s.organization_id = %s AND cs.session_id = %s)"
                " SELECT (SELECT count(*) FROM mine WHERE approved_at IS NOT NULL"
                "   OR coach_edited_version IS NOT NULL"
                "   OR EXISTS (SELECT 1 FROM summary_revisions r WHERE r.summary_id = mine.id))"
                "  AS reviewed,"
                " (SELECT count(*) FROM follow_ups f JOIN mine ON f.summary_id = mine.id"
                "   WHERE f.status IN ('sending', 'sent')) AS sent",
                (org, session_id),
            ).fetchone()
        return ReviewedWords(reviewed_summaries=row["reviewed"], sent_follow_ups=row["sent"])


def client_analyses(
    conn: psycopg.Connection, org: uuid.UUID, session_id: uuid.UUID
) -> dict[str, ClientAnalysis]:
    """The session's analyses by client speaker name, read on ``conn``."""
    rows = conn.execute(
        "SELECT p.name, cs.engagement_level, cs.breakthrough_detected,"
        " cs.priority_score, cs.breakthroughs, s.wins, s.challenges, s.action_items,"
        " s.coach_recommendations, s.ai_version->'priority_reasons' AS priority_reasons"
        " FROM client_sessions cs JOIN session_participants p"
        " ON p.session_id = cs.session_id AND p.client_id = cs.client_id"
        " JOIN summaries s ON s.client_session_id = cs.id"
        " WHERE cs.organization_id = %s AND cs.session_id = %s",
        (org, session_id),
    ).fetchall()
    return {
        row["name"]: ClientAnalysis(
            engagement_level=row["engagement_level"],
            breakthrough_detected=row["breakthrough_detected"],
            breakthroughs=row["breakthroughs"],
            priority_score=float(row["priority_score"]),
            priority_reasons=row["priority_reasons"] or [],
            summary=ClientSummary(
                wins=row["wins"],
                challenges=row["challenges"],
                action_items=row["action_items"],
                coach_recommendations=row["coach_recommendations"],
            ),
        )
        for row in rows
    }
