"""Transcripts on PostgreSQL: one row per turn (session_turns), annotated in place."""

from __future__ import annotations

import uuid

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.session_turns import CachedSessionTurns, TurnsCache
from coaching.domain.results import TurnLabel
from coaching.domain.transcript import Transcript


class PostgresTranscripts:
    def __init__(self, database: Database, *, turns_cache: TurnsCache | None = None) -> None:
        self._db = database
        self._turns = CachedSessionTurns(database, turns_cache)

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
