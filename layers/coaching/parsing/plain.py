"""Plain text: 'Name: text' lines, optionally after a timestamp.

Accepted line shapes: "Name: text", "[00:01:02] Name: text", "00:01:02 Name: text",
"(00:01) Name: text", and "Name:" alone with the words on the following lines.
A line without a name continues the turn above it; after a blank line it starts a
turn of its own with an unknown speaker, as nobody can tell who said it.
"""

from __future__ import annotations

import re

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import invalid_timestamp
from coaching.parsing.speakers import split_speaker
from coaching.parsing.timestamps import CLOCK, clock_seconds
from coaching.parsing.turns import Draft, speaker_turns

_LEADING_TIME = re.compile(
    rf"(?:\[(?P<bracketed>{CLOCK})\]|\((?P<parenthesised>{CLOCK})\)|(?P<bare>{CLOCK})(?=\s|$))"
    r"\s*(?:[-–—|]\s+)?"
)


def has_speaker_line(text: str) -> bool:
    """Whether any line reads as 'Name: text', for format detection."""
    return any(_speaker_and_rest(line.strip())[0] for line in text.split("\n"))


def parse(text: str, name: str) -> list[Turn]:
    drafts: list[Draft] = []
    current: Draft | None = None
    pending_start: float | None = None  # from a line holding only a timestamp
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        start, line = _leading_time(line, number, name)
        if not line:
            pending_start, current = start, None
            continue
        speaker, rest = _speaker_and_rest(line)
        if current is not None and speaker is None and start is None:
            current.lines.append(line)
            continue
        if start is None:
            start, pending_start = pending_start, None
        current = Draft(speaker=speaker or UNKNOWN_SPEAKER, start=start, lines=[rest])
        drafts.append(current)

    return speaker_turns(drafts, name)


def _leading_time(line: str, number: int, name: str) -> tuple[float | None, str]:
    match = _LEADING_TIME.match(line)
    if match is None:
        return None, line
    token = next(group for group in match.groups() if group is not None)
    seconds = clock_seconds(token)
    if seconds is None:
        raise invalid_timestamp(name, f"line {number}", token)
    return seconds, line[match.end() :].strip()


def _speaker_and_rest(line: str) -> tuple[str | None, str]:
    if _LEADING_TIME.match(line):
        line = _LEADING_TIME.sub("", line, count=1)
    return split_speaker(line)
