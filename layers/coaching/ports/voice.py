"""The coach's voice as their sent emails show it: one observation per sent follow-up, and
what the recent ones agree on. Scoped to ``org``."""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.voice import LearnedVoice, VoiceObservation


class VoiceObservations(Protocol):
    def record(self, org: uuid.UUID, coach_id: uuid.UUID, observation: VoiceObservation) -> bool:
        """Keeps what one sent follow-up showed; False when that follow-up was seen before."""
        ...

    def recent(self, org: uuid.UUID, coach_id: uuid.UUID, limit: int) -> list[VoiceObservation]:
        """The coach's latest observations, newest first."""
        ...

    def coaches_learned(self, org: uuid.UUID) -> list[uuid.UUID]:
        """The coaches a voice was learned for."""
        ...

    def save_learned(self, org: uuid.UUID, coach_id: uuid.UUID, learned: LearnedVoice) -> None:
        """Keeps what was learned on the coach, beside what they set (which it never changes)."""
        ...
