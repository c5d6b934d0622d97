"""SearchIndex on PostgreSQL (table search_documents, full-text search locally)."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.results import client_analyses


class PostgresSearchIndex:
    def __init__(self, database: Database) -> None:
        self._db = database

    def index_session(self, org: uuid.UUID, session_id: uuid.UUID) -> int:
        """Keyword index entries: the session overview and every summary item."""
        with self._db.transaction(org) as conn:
            rows = [
                (org, session_id, client, kind, item.text, item.evidence)
                for client, analysis in client_analyses(conn, org, session_id).items()
                for kind, items in analysis.summary
                for item in items
            ]
            session = conn.execute(
                "SELECT session_summary FROM sessions WHERE organization_id = %s AND id = %s",
                (org, session_id),
            ).fetchone()
            if session is not None and session["session_summary"]:
                rows.append(
                    (org, session_id, None, "session_summary", session["session_summary"], [])
                )
            conn.execute(
                "DELETE FROM search_documents WHERE organization_id = %s AND session_id = %s",
                (org, session_id),
            )
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO search_documents (organization_id, session_id, client_name,"
                    " kind, content, evidence) VALUES (%s, %s, %s, %s, %s, %s)",
                    rows,
                )
        return len(rows)
