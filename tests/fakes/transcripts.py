"""Transcripts in memory: turns per session, annotations per turn."""

from __future__ import annotations

import uuid

from coaching.domain.results import TurnLabel
from coaching.domain.transcript import Transcript
from tests.fakes.memory import Annotation, MemoryData


class FakeTranscripts:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def save_transcript(
        self, org: uuid.UUID, session_id: uuid.UUID, transcript: Transcript
    ) -> None:
        key = (org, session_id)
        # Annotations live on the turns: new turns start without any.
        self.data.turns[key] = [turn.model_copy() for turn in transcript.turns]
        self.data.annotations.pop(key, None)
        session = self.data.sessions.get(key)
        if session is not None:
            self.data.sessions[key] = session.model_copy(update={"format": transcript.format})

    def load_transcript(self, org: uuid.UUID, session_id: uuid.UUID) -> Transcript:
        session = self.data.sessions.get((org, session_id))
        turns = sorted(self.data.turns.get((org, session_id), []), key=lambda t: t.index)
        return Transcript(
            format=(session.format if session else None) or "unknown",
            turns=[turn.model_copy() for turn in turns],
        )

    def save_turn_annotations(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        labels: list[TurnLabel],
        sensitive: dict[int, list[str]],
    ) -> None:
        key = (org, session_id)
        stored = {turn.index for turn in self.data.turns.get(key, [])}
        annotations = self.data.annotations.setdefault(key, {})
        for label in labels:
            if label.index in stored:  # an UPDATE of a turn that is not there changes nothing
                annotations[label.index] = Annotation(
                    label.talk_type, label.behaviour, list(sensitive.get(label.index, []))
                )

    def load_turn_annotations(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[list[TurnLabel], dict[int, list[str]]]:
        key = (org, session_id)
        annotations = self.data.annotations.get(key, {})
        indexes = sorted(turn.index for turn in self.data.turns.get(key, []))
        found = {i: annotations.get(i, Annotation()) for i in indexes}
        labels = [
            TurnLabel(index=i, talk_type=a.talk_type, behaviour=a.behaviour)
            for i, a in found.items()
        ]
        return labels, {i: list(a.sensitive) for i, a in found.items() if a.sensitive}
