"""Turning the pieces a parser found into numbered Turns."""

from __future__ import annotations

from dataclasses import dataclass, field

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import ONE_TURN_PER_LINE, rejected


@dataclass
class Draft:
    """A turn being read: its text may still grow by continuation lines."""

    speaker: str
    start: float | None = None
    end: float | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(part.strip() for part in self.lines if part.strip())


def number_turns(drafts: list[Draft], *, end_at_next_start: bool = False) -> list[Turn]:
    """Turns in source order, indexed 0, 1, 2... over those that have text.

    With end_at_next_start, a timed turn ends where the next one starts: text formats
    only say when someone started talking.
    """
    kept = [(draft, draft.text) for draft in drafts]
    kept = [(draft, text) for draft, text in kept if text]
    if end_at_next_start:
        for (draft, _), (following, _) in zip(kept, kept[1:], strict=False):
            draft.end = following.start if draft.start is not None else None
        if kept:
            kept[-1][0].end = None
    return [
        Turn(index=i, speaker=draft.speaker, start=draft.start, end=draft.end, text=text)
        for i, (draft, text) in enumerate(kept)
    ]


def cue_turns(drafts: list[Draft], name: str) -> list[Turn]:
    """Turns of a cue-based file (VTT, SRT); rejects a file without any cue text."""
    if not drafts:
        raise rejected(f"{name} has no cues.")
    turns = number_turns(drafts)
    if not turns:
        raise rejected(f"{name} has no cues with text.")
    return turns


def speaker_turns(drafts: list[Draft], name: str) -> list[Turn]:
    """Turns of a line-based file: each ends where the next starts; needs a named speaker."""
    turns = number_turns(drafts, end_at_next_start=True)
    if not turns or all(draft.speaker == UNKNOWN_SPEAKER for draft in drafts):
        raise rejected(f"{name} has no speaker turns.", hint=ONE_TURN_PER_LINE)
    return turns
