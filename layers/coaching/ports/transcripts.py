"""A session's turns as stored after validation, and what each turn was found to be."""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.results import TurnLabel
from coaching.domain.transcript import Transcript


class Transcripts(Protocol):
    def save_transcript(
        self, org: uuid.UUID, session_id: uuid.UUID, transcript: Transcript
    ) -> None:
        """Replaces the session's turns (and records the transcript's format)."""
        ...

    def load_transcript(self, org: uuid.UUID, session_id: uuid.UUID) -> Transcript:
        """The turns in order; none (format "unknown") for a session never stored."""
        ...

    def save_turn_annotations(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        labels: list[TurnLabel],
        sensitive: dict[int, list[str]],
    ) -> None: ...

    def load_turn_annotations(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[list[TurnLabel], dict[int, list[str]]]:
        """Each turn's label, and the sensitive categories of the turns that have any."""
        ...
