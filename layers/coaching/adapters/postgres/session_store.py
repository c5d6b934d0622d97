"""SessionStore on PostgreSQL. Every statement is scoped by organization."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.session_turns import CachedSessionTurns, TurnsCache
from coaching.adapters.postgres.visibility import coach_parameters, visible_coaches
from coaching.domain.errors import DuplicateContent, NotFound, TransientError
from coaching.domain.names import name_key
from coaching.domain.results import ClientAnalysis, ClientSummary, SpeakerStats, TurnLabel
from coaching.domain.session import (
    ACTIVE_STATUSES,
    SessionBusy,
    SessionFilter,
    SessionPosition,
    SessionRecord,
)
from coaching.domain.transcript import Transcript

# Queries below splice in this constant column list, never input: hence their S608 waivers.
_SESSION_COLUMNS = (
    "id, organization_id, coach_id, source_name, transcript_key, content_sha256, session_type, "
    "session_date, coach_name, format, timing, duration_seconds, participant_count, "
    "processing_status, failure_reason, failed_step, execution_name, session_summary, "
    "coach_confidence, coach_source, supervision, created_at, updated_at"
)
_UPDATABLE = {
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

log = logging.getLogger(__name__)


class PostgresSessionStore:
    def __init__(self, database: Database, *, turns_cache: TurnsCache | None = None) -> None:
        self._db = database
        self._turns = CachedSessionTurns(database, turns_cache)

    def ensure_organization(self, org: uuid.UUID, name: str) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO organizations (id, name) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                (org, name),
            )

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
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE organization_id = %s AND id = %s",  # noqa: S608
                (org, session_id),
            ).fetchone()
        return SessionRecord.model_validate(row) if row else None

    def find_live_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        return self._first_by_hash(org, sha256, "processing_status <> 'failed'", "created_at")

    def find_failed_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        return self._first_by_hash(org, sha256, "processing_status = 'failed'", "created_at DESC")

    def _first_by_hash(
        self, org: uuid.UUID, sha256: str, condition: str, order: str
    ) -> SessionRecord | None:
        # `condition` and `order` are the constants of the two callers above, never input.
        with self._db.transaction(org) as conn:
            row = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE organization_id = %s"  # noqa: S608
                f" AND content_sha256 = %s AND {condition} ORDER BY {order} LIMIT 1",
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
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE organization_id = %(org)s"  # noqa: S608
                f" AND {visible_coaches('coach_id')}"
                " AND (%(date_from)s::date IS NULL"
                " OR COALESCE(session_date, created_at::date) >= %(date_from)s)"
                " AND (%(date_to)s::date IS NULL"
                " OR COALESCE(session_date, created_at::date) <= %(date_to)s)"
                " AND (%(status)s::text IS NULL OR processing_status = %(status)s)"
                " AND (%(session_type)s::text IS NULL OR session_type = %(session_type)s)"
                " AND (%(after_created)s::timestamptz IS NULL"
                " OR (created_at, id) < (%(after_created)s, %(after_id)s::uuid))"
                " ORDER BY created_at DESC, id DESC LIMIT %(limit)s",
                params,
            ).fetchall()
        return [SessionRecord.model_validate(row) for row in rows]

    def supervision_history(
        self, org: uuid.UUID, limit: int = 100, *, coach_ids: frozenset[uuid.UUID] | None = None
    ) -> list[dict[str, Any]]:
        """The coach supervision metrics of completed sessions, oldest first."""
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT id, source_name, session_date, created_at, coach_name, supervision"  # noqa: S608
                " FROM (SELECT * FROM sessions WHERE organization_id = %(org)s"
                f" AND {visible_coaches('coach_id')}"
                " AND processing_status = 'completed' AND supervision IS NOT NULL"
                " ORDER BY COALESCE(session_date, created_at::date) DESC, created_at DESC"
                " LIMIT %(limit)s) recent"
                " ORDER BY COALESCE(session_date, created_at::date), created_at",
                {"org": org, **coach_parameters(coach_ids), "limit": limit},
            ).fetchall()
        return rows

    def coach_id_by_email(self, org: uuid.UUID, email: str) -> uuid.UUID | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT id FROM coaches WHERE organization_id = %s AND lower(email) = lower(%s)"
                " ORDER BY created_at LIMIT 1",
                (org, email.strip()),
            ).fetchone()
        return row["id"] if row else None

    def coach_exists(self, org: uuid.UUID, coach_id: uuid.UUID) -> bool:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT 1 FROM coaches WHERE organization_id = %s AND id = %s", (org, coach_id)
            ).fetchone()
        return row is not None

    def coach_email(self, org: uuid.UUID, coach_id: uuid.UUID) -> str | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT email FROM coaches WHERE organization_id = %s AND id = %s", (org, coach_id)
            ).fetchone()
        return row["email"] if row else None

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        removed: dict[str, int] = {}
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
            for table, condition in _SESSION_ROWS:
                # Table names and conditions are the constants below, never input.
                cursor = conn.execute(
                    f"DELETE FROM {table} WHERE organization_id = %s AND {condition}",  # noqa: S608
                    (org, session_id),
                )
                removed[table] = cursor.rowcount
            removed["clients"] = _delete_orphaned_pending_clients(conn, org, session_id)
        return removed

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

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        # A system task across organizations: deliberately not scoped to one.
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, (settings->>'retention_days')::int AS days FROM organizations"
                " WHERE jsonb_typeof(settings->'retention_days') = 'number'"
            ).fetchall()
        return {row["id"]: row["days"] for row in rows}

    def sessions_received_before(self, org: uuid.UUID, cutoff: dt.datetime) -> list[SessionRecord]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE organization_id = %s"  # noqa: S608
                " AND created_at < %s AND processing_status <> ALL(%s)"
                " ORDER BY created_at, id",
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
        # Column names come from the fixed allow-list above, never from input.
        assignments = ", ".join(f"{name} = %s" for name in fields)
        values = [Jsonb(v) if k in _JSON_FIELDS and v is not None else v for k, v in fields.items()]
        with self._db.transaction(org) as conn:
            conn.execute(
                f"UPDATE sessions SET {assignments}, updated_at = now()"  # noqa: S608
                " WHERE organization_id = %s AND id = %s",
                (*values, org, session_id),
            )

    def save_transcript(
        self, org: uuid.UUID, session_id: uuid.UUID, transcript: Transcript
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "DELETE FROM session_turns WHERE organization_id = %s AND session_id = %s",
                (org, session_id),
            )
            # One statement over arrays: fast like COPY, which row-level security forbids.
            turns = transcript.turns
            conn.execute(
                "INSERT INTO session_turns (organization_id, session_id, turn_index, speaker,"
                " start_seconds, end_seconds, text) SELECT %s, %s, t.* FROM unnest("
                "%s::int[], %s::text[], %s::float8[], %s::float8[], %s::text[]) AS t",
                (
                    org,
                    session_id,
                    [turn.index for turn in turns],
                    [turn.speaker for turn in turns],
                    [turn.start for turn in turns],
                    [turn.end for turn in turns],
                    [turn.text for turn in turns],
                ),
            )
            conn.execute(
                "UPDATE sessions SET format = %s WHERE organization_id = %s AND id = %s",
                (transcript.format, org, session_id),
            )

    def load_transcript(self, org: uuid.UUID, session_id: uuid.UUID) -> Transcript:
        # Each client's analysis reads it: from memory while unchanged (session_turns.py).
        turns = self._turns.read(org, session_id)
        return turns.transcript() if turns else Transcript(format="unknown", turns=[])

    def save_turn_annotations(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        labels: list[TurnLabel],
        sensitive: dict[int, list[str]],
    ) -> None:
        # One statement for every turn, like save_transcript: one UPDATE per turn cost more
        # than the parse step's own analysis.
        rows = [
            {
                "turn_index": label.index,
                "talk_type": label.talk_type,
                "behaviour": label.behaviour,
                "sensitive_categories": sensitive.get(label.index, []),
            }
            for label in labels
        ]
        with self._db.transaction(org) as conn:
            conn.execute(
                "UPDATE session_turns t SET talk_type = x.talk_type, behaviour = x.behaviour,"
                " sensitive_categories = x.sensitive_categories FROM jsonb_to_recordset(%s)"
                " AS x(turn_index int, talk_type text, behaviour text, sensitive_categories text[])"
                " WHERE t.organization_id = %s AND t.session_id = %s"
                " AND t.turn_index = x.turn_index",
                (Jsonb(rows), org, session_id),
            )

    def load_turn_annotations(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[list[TurnLabel], dict[int, list[str]]]:
        turns = self._turns.read(org, session_id)
        return turns.annotations() if turns else ([], {})

    def save_speakers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        speakers: list[SpeakerStats],
        client_ids: dict[str, uuid.UUID] | None = None,
    ) -> None:
        client_ids = client_ids or {}
        with self._db.transaction(org) as conn:
            conn.execute(
                "DELETE FROM session_participants WHERE organization_id = %s AND session_id = %s",
                (org, session_id),
            )
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO session_participants (organization_id, session_id, position,"
                    " name, role, speaking_time_seconds, speaking_share, turns, word_count,"
                    " longest_monologue_seconds, questions_asked, aliases, client_id)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            org,
                            session_id,
                            position,
                            s.name,
                            s.role,
                            s.speaking_time_seconds,
                            s.speaking_share,
                            s.turns,
                            s.word_count,
                            s.longest_monologue_seconds,
                            s.questions_asked,
                            s.aliases,
                            client_ids.get(s.name),
                        )
                        for position, s in enumerate(speakers)
                    ],
                )

    def load_speakers(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SpeakerStats]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT name, role, speaking_time_seconds, speaking_share, turns, word_count,"
                " longest_monologue_seconds, questions_asked, aliases"
                " FROM session_participants WHERE organization_id = %s AND session_id = %s"
                " ORDER BY position",
                (org, session_id),
            ).fetchall()
        return [SpeakerStats.model_validate(row) for row in rows]

    def resolve_clients(
        self, org: uuid.UUID, session_id: uuid.UUID, names: list[str]
    ) -> dict[str, uuid.UUID]:
        """Maps speakers to the organization's client records; unknown people become pending.

        A speaker matches a record whose name is the same person (case, spacing, titles), or,
        for a lone first name, the one record with that first name.
        """
        with self._db.transaction(org) as conn:
            known = conn.execute(
                "SELECT id, name FROM clients WHERE organization_id = %s", (org,)
            ).fetchall()
            by_key = {name_key(row["name"]): row["id"] for row in known}
            by_first: dict[str, list[uuid.UUID]] = {}
            for row in known:
                by_first.setdefault(name_key(row["name"]).split(" ")[0], []).append(row["id"])
            resolved: dict[str, uuid.UUID] = {}
            for name in names:
                key = name_key(name)
                match = by_key.get(key)
                if match is None and " " not in key and len(by_first.get(key, [])) == 1:
                    match = by_first[key][0]
                if match is None:
                    match = conn.execute(
                        "INSERT INTO clients (organization_id, name, status, created_by_session)"
                        " VALUES (%s, %s, 'pending', %s) RETURNING id",
                        (org, name, session_id),
                    ).fetchone()["id"]
                    by_key[key] = match
                resolved[name] = match
        return resolved

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
            rows = conn.execute(
                "SELECT p.name, cs.engagement_level, cs.breakthrough_detected,"
                " cs.priority_score, cs.breakthroughs, s.wins, s.challenges, s.action_items,"
                " s.coach_recommendations"
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
                summary=ClientSummary(
                    wins=row["wins"],
                    challenges=row["challenges"],
                    action_items=row["action_items"],
                    coach_recommendations=row["coach_recommendations"],
                ),
            )
            for row in rows
        }

    def index_session(self, org: uuid.UUID, session_id: uuid.UUID) -> int:
        """Keyword index entries: the session overview and every summary item."""
        analyses = self.load_client_analyses(org, session_id)
        rows = [
            (org, session_id, client, kind, item.text, item.evidence)
            for client, analysis in analyses.items()
            for kind, items in analysis.summary
            for item in items
        ]
        session = self.get_session(org, session_id)
        if session is not None and session.session_summary:
            rows.append((org, session_id, None, "session_summary", session.session_summary, []))
        with self._db.transaction(org) as conn:
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

    def completed_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str = ""
    ) -> dict[str, Any] | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT output FROM step_runs WHERE organization_id = %s AND session_id = %s"
                " AND step = %s AND item = %s",
                (org, session_id, step, item),
            ).fetchone()
        return row["output"] if row else None

    def record_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str, output: dict[str, Any]
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO step_runs (organization_id, session_id, step, item, output)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (session_id, step, item)"
                " DO UPDATE SET output = EXCLUDED.output, completed_at = now()",
                (org, session_id, step, item, Jsonb(output)),
            )

    def forget_steps(self, org: uuid.UUID, session_id: uuid.UUID, steps: list[str]) -> int:
        with self._db.transaction(org) as conn:
            cursor = conn.execute(
                "DELETE FROM step_runs WHERE organization_id = %s AND session_id = %s"
                " AND step = ANY(%s)",
                (org, session_id, steps),
            )
        return cursor.rowcount

    def record_notification(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        kind: str,
        recipient: str | None,
        message_id: str | None,
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO notifications (organization_id, session_id, kind, recipient_hash,"
                " message_id) VALUES (%s, %s, %s, %s, %s)",
                (org, session_id, kind, _hash(recipient) if recipient else None, message_id),
            )

    def discard_results(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        # Children before parents; the session row and its original transcript stay.
        steps = [
            ("search_documents", "session_id = %s"),
            ("notifications", "session_id = %s AND kind <> 'failure'"),
            (
                "summaries",
                "client_session_id IN (SELECT id FROM client_sessions WHERE session_id = %s)",
            ),
            ("client_sessions", "session_id = %s"),
            ("session_participants", "session_id = %s"),
            # Pending client records this session created that nothing else uses.
            (
                "clients",
                "status = 'pending' AND created_by_session = %s"
                " AND NOT EXISTS (SELECT 1 FROM client_sessions cs WHERE cs.client_id = clients.id)"
                " AND NOT EXISTS (SELECT 1 FROM session_participants sp"
                " WHERE sp.client_id = clients.id)",
            ),
        ]
        removed: dict[str, int] = {}
        with self._db.transaction(org) as conn:
            for table, condition in steps:
                # Table names and conditions are the constants above, never input.
                cursor = conn.execute(
                    f"DELETE FROM {table} WHERE organization_id = %s AND {condition}",  # noqa: S608
                    (org, session_id),
                )
                removed[table] = cursor.rowcount
        return removed


# What a session leaves in the database, children before parents. Most of these go with the
# session row anyway (ON DELETE CASCADE); naming them keeps the deletion explicit and counted.
_SESSION_ROWS = [
    ("search_documents", "session_id = %s"),
    ("notifications", "session_id = %s"),
    (
        "follow_ups",
        "summary_id IN (SELECT s.id FROM summaries s JOIN client_sessions cs"
        " ON cs.id = s.client_session_id WHERE cs.session_id = %s)",
    ),
    (
        "summaries",
        "client_session_id IN (SELECT id FROM client_sessions WHERE session_id = %s)",
    ),
    ("client_sessions", "session_id = %s"),
    ("session_participants", "session_id = %s"),
    ("session_turns", "session_id = %s"),
    ("step_runs", "session_id = %s"),
    # Local runs' records (their inputs name the file); their events go with them.
    ("executions", "session_id = %s"),
    ("sessions", "id = %s"),
]


def _delete_orphaned_pending_clients(conn, org: uuid.UUID, session_id: uuid.UUID) -> int:
    """Pending client records this session created that nothing else refers to.

    In a savepoint: a record another feature refers to (a foreign key we do not know of)
    is kept rather than failing the whole deletion.
    """
    try:
        with conn.transaction():
            cursor = conn.execute(
                "DELETE FROM clients WHERE organization_id = %s AND status = 'pending'"
                " AND created_by_session = %s"
                " AND NOT EXISTS (SELECT 1 FROM client_sessions cs WHERE cs.client_id = clients.id)"
                " AND NOT EXISTS (SELECT 1 FROM session_participants sp"
                " WHERE sp.client_id = clients.id)"
                " AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.client_id = clients.id)",
                (org, session_id),
            )
            return cursor.rowcount
    except psycopg.errors.ForeignKeyViolation:
        log.warning("pending clients of session %s are referred to elsewhere: kept", session_id)
        return 0


def _hash(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()
