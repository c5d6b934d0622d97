"""The coach's own profile (name, voice, notification preferences) in PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ValidationError

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.domain.clients import (
    VOICE_PINS,
    CoachProfile,
    CoachProfileUpdate,
    NotificationPreferences,
    VoiceProfile,
)
from coaching.domain.voice import LearnedVoice

_Model = TypeVar("_Model", bound=BaseModel)
_COLUMNS = columns("id, email, name, voice_profile, notification_preferences")


class PostgresCoachProfiles:
    def __init__(self, database: Database) -> None:
        self._db = database

    def get_profile(self, org: uuid.UUID, coach_id: uuid.UUID) -> CoachProfile | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL("SELECT {} FROM coaches WHERE organization_id = %s AND id = %s").format(
                    _COLUMNS
                ),
                (org, coach_id),
            ).fetchone()
        return _profile(row) if row else None

    def update_profile(
        self, org: uuid.UUID, coach_id: uuid.UUID, update: CoachProfileUpdate
    ) -> CoachProfile | None:
        # Merged into the stored objects: keys other features keep there (a learned style)
        # survive an update of the ones a coach edits.
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "UPDATE coaches SET name = %s, voice_profile = voice_profile || %s,"
                    " notification_preferences = notification_preferences || %s"
                    " WHERE organization_id = %s AND id = %s RETURNING {}"
                ).format(_COLUMNS),
                (
                    update.name,
                    Jsonb(_set_voice(update.voice_profile)),
                    Jsonb(update.notification_preferences.model_dump(mode="json")),
                    org,
                    coach_id,
                ),
            ).fetchone()
        return _profile(row) if row else None


def _set_voice(voice: VoiceProfile) -> dict[str, Any]:
    """What the coach set, a value they left out of the PUT cleared (null: learned again)."""
    return {**dict.fromkeys(VOICE_PINS), **voice.model_dump(mode="json")}


def _profile(row: dict[str, Any]) -> CoachProfile:
    return CoachProfile(
        coach_id=row["id"],
        email=row["email"],
        name=row["name"],
        voice_profile=_known(VoiceProfile, row["voice_profile"]),
        notification_preferences=_known(NotificationPreferences, row["notification_preferences"]),
        learned_voice=_learned(row["voice_profile"]),
    )


def _learned(stored: Any) -> LearnedVoice:
    learned = stored.get("learned") if isinstance(stored, dict) else None
    try:
        return LearnedVoice.model_validate(learned if isinstance(learned, dict) else {})
    except ValidationError:  # written by an older release: learned again at the next send
        return LearnedVoice()


def _known(model: type[_Model], stored: Any) -> _Model:
    """The fields the model knows, each stored value that is valid, else its default."""
    values = {}
    for name in model.model_fields:
        if isinstance(stored, dict) and name in stored:
            try:
                model.model_validate({name: stored[name]})
            except ValidationError:
                continue
            values[name] = stored[name]
    return model.model_validate(values)
