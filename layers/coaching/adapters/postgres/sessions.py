"""Sessions on PostgreSQL. Every statement is scoped by organization."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.pending_clients import delete_session_rows
from coaching.adapters.postgres.sql_parts import assignments, columns
from coaching.adapters.postgres.visibility import coach_parameters, visible_coaches
from coaching.domain.errors import DuplicateContent, NotFound, TransientError
from coaching.domain.session import (
    ACTIVE_STATUSES,
    SessionBusy,
    SessionFilter,
    SessionPosition,
    SessionRecord,
)

_SESSION_COLUMNS = columns(
    "id, organization_id, coach_id, source_name, transcript_key, content_sha256, session_type, "
    "session_date, coach_name, format, timing, duration_seconds, participant_count, "
    "processing_status, failure_reason, failed_step, execution_name, session_summary, "
    "coach_confidence, coach_source, supervision, created_at, updated_at"
)
_UPDATABLE = {
    "coach_id",  # a session of no coach, assigned later (`coach sessions assign`)
    "session_type",
    "session_date",
    "coach_name",
    "format",
    "timing",
    "duration_seconds",
    "participant_count",
    "processing_status",
    "failure_reason",
    "failed_step",
    "execution_name",
    "session_summary",
    "coach_confidence",
    "coach_source",
    "supervision",
}
_JSON_FIELDS = {"supervision"}


class PostgresSessions:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create_session(self, org: uuid.UUID, session: SessionRecord) -> None:
        """Inserts once; raises DuplicateContent if a live session holds the same content.

        The partial unique index of migration 0004 decides, so two submissions of the same
        bytes at the same moment cannot both get in: the second waits for the first's commit.
        """
        # A holder can fail between the insert and the look-up: then the insert is tried again.
        for _ in range(3):
            holder = self._insert_session(org, session)
            if holder is None:
                return
            if holder != session.id:
                raise DuplicateContent(holder)
        raise TransientError("The session could not be recorded, retrying later.")

    def _insert_session(self, org: uuid.UUID, session: SessionRecord) -> uuid.UUID | None:
        """None once the row is in (now or before); else the live session with this content."""
        with self._db.transaction(org) as conn:
            inserted = conn.execute(
                "INSERT INTO sessions (id, organization_id, coach_id, source_name,"
                " transcript_key, content_sha256, session_type, session_date, coach_name,"
                " processing_status, execution_name)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (
                    session.id,
                    org,
                    session.coach_id,
                    session.source_name,
                    session.transcript_key,
                    session.content_sha256,
                    session.session_type,
                    session.session_date,
                    session.coach_name,
                    session.processing_status,
                    session.execution_name,
                ),
            ).fetchone()
            if inserted is not None:
                return None
            # Same id again (a redelivered event, the pipeline's own first step): a no-op.
            if conn.execute("SELECT 1 FROM sessions WHERE id = %s", (session.id,)).fetchone():
                return None
            holder = conn.execute(
                "SELECT id FROM sessions WHERE organization_id = %s AND content_sha256 = %s"
                " AND processing_status <> 'failed'",
                (org, session.content_sha256),
            ).fetchone()
        return holder["id"] if holder else session.id

    def get_session(self, org: uuid.UUID, session_id: uuid.UUID) -> SessionRecord | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL("SELECT {} FROM sessions WHERE organization_id = %s AND id = %s").format(
                    _SESSION_COLUMNS
                ),
                (org, session_id),
            ).fetchone()
        return SessionRecord.model_validate(row) if row else None

    def find_live_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        return self._first_by_hash(
            org, sha256, sql.SQL("processing_status <> 'failed'"), sql.SQL("created_at")
        )

    def find_failed_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        return self._first_by_hash(
            org, sha256, sql.SQL("processing_status = 'failed'"), sql.SQL("created_at DESC")
        )

    def _first_by_hash(
        self, org: uuid.UUID, sha256: str, condition: sql.SQL, order: sql.SQL
    ) -> SessionRecord | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT {columns} FROM sessions WHERE organization_id = %s"
                    " AND content_sha256 = %s AND {condition} ORDER BY {order} LIMIT 1"
                ).format(columns=_SESSION_COLUMNS, condition=condition, order=order),
                (org, sha256),
            ).fetchone()
        return SessionRecord.model_validate(row) if row else None

    def list_sessions(
        self,
        org: uuid.UUID,
        limit: int = 50,
        *,
        where: SessionFilter | None = None,
        after: SessionPosition | None = None,
    ) -> list[SessionRecord]:
        where = where or SessionFilter()
        # Every optional condition is in the text; a NULL parameter switches it off.
        params = {
            "org": org,
            **coach_parameters(where.coach_ids),
            "date_from": where.date_from,
            "date_to": where.date_to,
            "status": where.status,
            "session_type": where.session_type,
            "after_created": after.created_at if after else None,
            "after_id": after.id if after else None,
            "limit": limit,
        }
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {columns} FROM sessions WHERE organization_id = %(org)s"
                    " AND {visible}"
                    " AND (%(date_from)s::date IS NULL"
                    " OR COALESCE(session_date, created_at::date) >= %(date_from)s)"
                    " AND (%(date_to)s::date IS NULL"
                    " OR COALESCE(session_date, created_at::date) <= %(date_to)s)"
                    " AND (%(status)s::text IS NULL OR processing_status = %(status)s)"
                    " AND (%(session_type)s::text IS NULL OR session_type = %(session_type)s)"
                    " AND (%(after_created)s::timestamptz IS NULL"
                    " OR (created_at, id) < (%(after_created)s, %(after_id)s::uuid))"
                    " ORDER BY created_at DESC, id DESC LIMIT %(limit)s"
                ).format(columns=_SESSION_COLUMNS, visible=visible_coaches("coach_id")),
                params,
            ).fetchall()
        return [SessionRecord.model_validate(row) for row in rows]

    def supervision_history(
        self, org: uuid.UUID, limit: int = 100, *, coach_ids: frozenset[uuid.UUID] | None = None
    ) -> list[dict[str, Any]]:
        """The coach supervision metrics of completed sessions, oldest first."""
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT id, source_name, session_date, created_at, coach_name, supervision"
                    " FROM (SELECT * FROM sessions WHERE organization_id = %(org)s"
                    " AND {visible}"
                    " AND processing_status = 'completed' AND supervision IS NOT NULL"
                    " ORDER BY COALESCE(session_date, created_at::date) DESC, created_at DESC"
                    " LIMIT %(limit)s) recent"
                    " ORDER BY COALESCE(session_date, created_at::date), created_at"
                ).format(visible=visible_coaches("coach_id")),
                {"org": org, **coach_parameters(coach_ids), "limit": limit},
            ).fetchall()
        return rows

    def sessions_received_before(self, org: uuid.UUID, cutoff: dt.datetime) -> list[SessionRecord]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM sessions WHERE organization_id = %s"
                    " AND created_at < %s AND processing_status <> ALL(%s)"
                    " ORDER BY created_at, id"
                ).format(_SESSION_COLUMNS),
                (org, cutoff, list(ACTIVE_STATUSES)),
            ).fetchall()
        return [SessionRecord.model_validate(row) for row in rows]

    def count_sessions(self, org: uuid.UUID) -> int:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT count(*) AS n FROM sessions WHERE organization_id = %s", (org,)
            ).fetchone()
        return int(row["n"])

    def update_session(self, org: uuid.UUID, session_id: uuid.UUID, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        if not fields:
            return
        values = [Jsonb(v) if k in _JSON_FIELDS and v is not None else v for k, v in fields.items()]
        with self._db.transaction(org) as conn:
            conn.execute(
                sql.SQL(
                    "UPDATE sessions SET {}, updated_at = now()"
                    " WHERE organization_id = %s AND id = %s"
                ).format(assignments(fields)),
                (*values, org, session_id),
            )

    def clients_of_session(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT client_id FROM session_participants WHERE organization_id = %(org)s"
                " AND session_id = %(session)s AND client_id IS NOT NULL"
                " UNION SELECT client_id FROM client_sessions WHERE organization_id = %(org)s"
                " AND session_id = %(session)s ORDER BY client_id",
                {"org": org, "session": session_id},
            ).fetchall()
        return [row["client_id"] for row in rows]

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        with self._db.transaction(org) as conn:
            # Locked, so no run can start on it (a resubmission) while its rows go.
            session = conn.execute(
                "SELECT processing_status FROM sessions WHERE organization_id = %s AND id = %s"
                " FOR UPDATE",
                (org, session_id),
            ).fetchone()
            if session is None:
                raise NotFound(f"Session {session_id} does not exist.")
            running = conn.execute(
                "SELECT count(*) AS n FROM executions WHERE organization_id = %s"
                " AND session_id = %s AND status = 'RUNNING'",
                (org, session_id),
            ).fetchone()["n"]
            if session["processing_status"] in ACTIVE_STATUSES or running:
                raise SessionBusy(session_id)
            return delete_session_rows(conn, org, session_id, _SESSION_ROWS)


# What a session leaves in the database, children before parents. Most of these go with the
# session row anyway (ON DELETE CASCADE); naming them keeps the deletion explicit and counted.
_SESSION_ROWS = [
    ("search_passages", sql.SQL("session_id = %s")),
    ("notifications", sql.SQL("session_id = %s")),
    (
        "follow_ups",
        sql.SQL(
            "summary_id IN (SELECT s.id FROM summaries s JOIN client_sessions cs"
            " ON cs.id = s.client_session_id WHERE cs.session_id = %s)"
        ),
    ),
    (
        "summaries",
        sql.SQL("client_session_id IN (SELECT id FROM client_sessions WHERE session_id = %s)"),
    ),
    ("client_sessions", sql.SQL("session_id = %s")),
    ("session_participants", sql.SQL("session_id = %s")),
    ("session_turns", sql.SQL("session_id = %s")),
    ("step_runs", sql.SQL("session_id = %s")),
    # Local runs' records (their inputs name the file); their events go with them.
    ("executions", sql.SQL("session_id = %s")),
    ("sessions", sql.SQL("id = %s")),
]
