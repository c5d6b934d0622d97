"""Plain text: 'Name: text' lines, optionally after a timestamp.

Accepted line shapes: "Name: text", "[00:01:02] Name: text", "00:01:02 Name: text",
"(00:01) Name: text", and "Name:" alone with the words on the following lines. Rev and
Descript put the time after the name: "Name (00:01):" (or "[00:01]"), with the words on
the same line or the lines below. Captioners' '>>' before a new speaker's name (Zoom's
saved captions, CART) is not part of the name.
A line without a name continues the turn above it; after a blank line it starts a
turn of its own with an unknown speaker, as nobody can tell who said it.
"""

from __future__ import annotations

import re

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import invalid_timestamp, rejected
from coaching.parsing.speakers import split_speaker
from coaching.parsing.timestamps import CLOCK, clock_seconds
from coaching.parsing.turns import Draft, speaker_turns

# Rev, Descript: 'Name (00:01:02):', 'Name [01:02]: text', or 'Name (01:02)' alone on its line.
_NAME_THEN_TIME = re.compile(
    rf"(?P<name>[^:()\[\]\n]{{1,60}}?)[ \t]*(?:\((?P<parenthesised>{CLOCK})\)"
    rf"|\[(?P<bracketed>{CLOCK})\])[ \t]*(?::(?:[ \t]+|$)|$)"
)
_CHANGE_OF_SPEAKER = re.compile(r">>[ \t]*")
_LEADING_TIME = re.compile(
    rf"(?:\[(?P<bracketed>{CLOCK})\]|\((?P<parenthesised>{CLOCK})\)|(?P<bare>{CLOCK})(?=\s|$))"
    r"\s*(?:[-–—|]\s+)?"
)


def has_speaker_line(text: str) -> bool:
    """Whether any line reads as 'Name: text', for format detection."""
    return any(_has_speaker(line.strip()) for line in text.split("\n"))


def from_first_speaker(text: str) -> str:
    """The text with the lines before the first 'Name: text' line blanked: a document's
    title and date, not words anyone said. Blanked, so line numbers stay right."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if _has_speaker(line.strip())), 0)
    return "\n".join([""] * first + lines[first:])


def _name_then_time(line: str, number: int, name: str) -> tuple[str, float, str] | None:
    """(speaker, start, rest of the line) of a 'Name (00:01):' header, or None."""
    match = _NAME_THEN_TIME.match(line)
    if match is None:
        return None
    speaker = split_speaker(f"{match['name']}: ")[0]
    if speaker is None:  # the words before the time end a sentence: not a name
        return None
    token = match["parenthesised"] or match["bracketed"]
    seconds = clock_seconds(token)
    if seconds is None:
        raise invalid_timestamp(name, f"line {number}", token)
    return speaker, seconds, line[match.end() :].strip()


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
        line = _CHANGE_OF_SPEAKER.sub("", line, count=1) if line.startswith(">>") else line
        if not line:
            pending_start, current = start, None
            continue
        speaker, rest = split_speaker(line)
        header = _name_then_time(line, number, name) if speaker is None else None
        if header is not None:
            speaker, header_start, rest = header
            start = start if start is not None else header_start
        if current is not None and speaker is None and start is None:
            current.lines.append(line)
            continue
        if start is None:
            start, pending_start = pending_start, None
        current = Draft(speaker=speaker or UNKNOWN_SPEAKER, start=start, lines=[rest])
        drafts.append(current)

    if drafts and all(d.speaker == UNKNOWN_SPEAKER and d.start is not None for d in drafts):
        # Timed paragraphs without a name: Otter's export with speaker names turned off.
        raise rejected(
            f"{name} has timestamps but no speaker names, so participants cannot be told apart.",
            hint="Export the transcript again with speaker names, "
            "or write each turn as 'Name: what they said'.",
        )
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


def _has_speaker(line: str) -> bool:
    if _LEADING_TIME.match(line):
        line = _LEADING_TIME.sub("", line, count=1)
    if line.startswith(">>"):
        line = _CHANGE_OF_SPEAKER.sub("", line, count=1)
    if split_speaker(line)[0] is not None:
        return True
    header = _NAME_THEN_TIME.match(line)
    return header is not None and split_speaker(f"{header['name']}: ")[0] is not None
