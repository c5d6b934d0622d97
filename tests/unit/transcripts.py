"""Small transcripts built in code for unit tests."""

from __future__ import annotations

from coaching.domain.transcript import Transcript, Turn


def transcript(*lines: tuple[str, str], timed: bool = True, seconds: float = 10.0) -> Transcript:
    """Each line is (speaker, text); timed lines last `seconds` each, back to back."""
    turns = [
        Turn(
            index=i,
            speaker=speaker,
            start=i * seconds if timed else None,
            end=(i + 1) * seconds if timed else None,
            text=text,
        )
        for i, (speaker, text) in enumerate(lines)
    ]
    return Transcript(format="plain", turns=turns)
