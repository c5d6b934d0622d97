"""Observations of the coach's voice (migration 0020), and what was learned from them, kept
on the coach's profile under voice_profile -> 'learned'."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.domain.voice import LearnedVoice, VoiceObservation


class PostgresVoiceObservations:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, org: uuid.UUID, coach_id: uuid.UUID, observation: VoiceObservation) -> bool:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "INSERT INTO voice_observations"
                " (follow_up_id, organization_id, coach_id, observation)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (follow_up_id) DO NOTHING"
                " RETURNING follow_up_id",
                (observation.follow_up_id, org, coach_id, Jsonb(_stored(observation))),
            ).fetchone()
        return row is not None

    def recent(self, org: uuid.UUID, coach_id: uuid.UUID, limit: int) -> list[VoiceObservation]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT v.follow_up_id, f.client_id, v.observation FROM voice_observations v"
                " JOIN follow_ups f ON f.id = v.follow_up_id"
                " AND f.organization_id = v.organization_id"
                " WHERE v.organization_id = %s AND v.coach_id = %s"
                " ORDER BY v.observed_at DESC, v.follow_up_id LIMIT %s",
                (org, coach_id, limit),
            ).fetchall()
        return [_observation(row) for row in rows]

    def coaches_learned(self, org: uuid.UUID) -> list[uuid.UUID]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT id FROM coaches WHERE organization_id = %s AND voice_profile ? 'learned'"
                " ORDER BY id",
                (org,),
            ).fetchall()
        return [row["id"] for row in rows]

    def save_learned(self, org: uuid.UUID, coach_id: uuid.UUID, learned: LearnedVoice) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "UPDATE coaches SET voice_profile = voice_profile || jsonb_build_object("
                "'learned', %s::jsonb) WHERE organization_id = %s AND id = %s",
                (Jsonb(learned.model_dump(mode="json")), org, coach_id),
            )


def _stored(observation: VoiceObservation) -> dict[str, Any]:
    values = dataclasses.asdict(observation)
    del values["follow_up_id"], values["client_id"]  # the follow-up's
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def _observation(row: dict[str, Any]) -> VoiceObservation:
    stored = row["observation"]
    known = {f.name for f in dataclasses.fields(VoiceObservation)}
    values = {k: v for k, v in stored.items() if k in known}
    for many in ("added", "removed", "requests"):
        values[many] = tuple(values.get(many, ()))
    return VoiceObservation(follow_up_id=row["follow_up_id"], client_id=row["client_id"], **values)
