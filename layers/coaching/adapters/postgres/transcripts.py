"""Transcripts on PostgreSQL: one row per turn (session_turns), annotated in place."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database
from coaching.domain.results import TurnLabel
from coaching.domain.transcript import Transcript, Turn


class PostgresTranscripts:
    def __init__(self, database: Database) -> None:
        self._db = database

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
        with self._db.transaction(org) as conn:
            session = conn.execute(
                "SELECT format FROM sessions WHERE organization_id = %s AND id = %s",
                (org, session_id),
            ).fetchone()
            rows = conn.execute(
                "SELECT turn_index AS index, speaker, start_seconds AS start,"
                " end_seconds AS end, text FROM session_turns"
                " WHERE organization_id = %s AND session_id = %s ORDER BY turn_index",
                (org, session_id),
            ).fetchall()
        return Transcript(
            format=(session or {}).get("format") or "unknown",
            turns=[Turn.model_validate(row) for row in rows],
        )

    def save_turn_annotations(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        labels: list[TurnLabel],
        sensitive: dict[int, list[str]],
    ) -> None:
        with self._db.transaction(org) as conn, conn.cursor() as cursor:
            cursor.executemany(
                "UPDATE session_turns SET talk_type = %s, behaviour = %s,"
                " sensitive_categories = %s"
                " WHERE organization_id = %s AND session_id = %s AND turn_index = %s",
                [
                    (
                        label.talk_type,
                        label.behaviour,
                        sensitive.get(label.index, []),
                        org,
                        session_id,
                        label.index,
                    )
                    for label in labels
                ],
            )

    def load_turn_annotations(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[list[TurnLabel], dict[int, list[str]]]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT turn_index, talk_type, behaviour, sensitive_categories FROM session_turns"
                " WHERE organization_id = %s AND session_id = %s ORDER BY turn_index",
                (org, session_id),
            ).fetchall()
        labels = [
            TurnLabel(index=r["turn_index"], talk_type=r["talk_type"], behaviour=r["behaviour"])
            for r in rows
        ]
        return labels, {
            r["turn_index"]: r["sensitive_categories"] for r in rows if r["sensitive_categories"]
        }
