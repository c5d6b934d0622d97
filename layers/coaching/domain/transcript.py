"""A transcript as the pipeline sees it: turns in source order, one per cue or line."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

UNKNOWN_SPEAKER = "Unknown speaker"

TimingSource = Literal["cues", "estimated"]


class Turn(BaseModel):
    """One cue or line of the source, never merged with its neighbours.

    A value: readers of one stored transcript share its turns (adapters/postgres/session_turns.py).
    """

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0)
    speaker: str
    start: float | None = None
    end: float | None = None
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


class Transcript(BaseModel):
    format: str
    turns: list[Turn]
    # The day the file says it was recorded (its own metadata), if it says one.
    recorded_on: dt.date | None = None

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        return list(dict.fromkeys(turn.speaker for turn in self.turns))
