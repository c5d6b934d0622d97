"""Google Meet's transcript, downloaded from its Google Doc as plain text.

The document starts with a title ('Weekly sync - Transcript'), a date, an 'Attendees'
heading with the list of names, and a 'Transcript' heading; then come 'Name: text'
paragraphs, with a timestamp line ('00:05:00') on its own every few minutes, and it may
end with 'Meeting ended after 00:31:12'. The front matter, the headings, the attendee
list and Meet's own notes are left out; the rest reads as plain 'Name: text' lines, a
timestamp line giving the start of the turn after it.
"""

from __future__ import annotations

import re

from coaching.domain.transcript import Turn
from coaching.parsing import plain
from coaching.parsing.speakers import split_speaker
from coaching.parsing.timestamps import CLOCK

_TIMESTAMP_LINE = re.compile(CLOCK)
_ATTENDEES = frozenset({"attendees", "participants"})
_HEADINGS = _ATTENDEES | {"transcript"}
_TITLE = re.compile(r".*\btranscript", re.IGNORECASE)
_MEET_NOTES = re.compile(
    r"(?:this editable transcript was computer generated\b"
    r"|(?:meeting|transcription) ended after\b).*",
    re.IGNORECASE,
)
_FRONT_MATTER_LINES = 30


def has_markers(text: str) -> bool:
    """Whether the text has Meet's headings or notes, for format detection."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    front = lines[:_FRONT_MATTER_LINES]
    if front and _TITLE.fullmatch(front[0]) and len(front[0]) <= 200:
        return True
    if any(_heading(line) for line in front):
        return True
    return any(_MEET_NOTES.fullmatch(line) for line in lines)


def parse(text: str, name: str) -> list[Turn]:
    # Lines left out become blank, so plain's messages still give the right line numbers.
    kept: list[str] = []
    started = in_attendees = False
    for raw in text.split("\n"):
        line = raw.strip()
        heading = _heading(line)
        if heading is not None:
            in_attendees = heading in _ATTENDEES
            kept.append("")
            continue
        is_time = _TIMESTAMP_LINE.fullmatch(line) is not None
        if in_attendees and line and not is_time:
            in_attendees = False  # the attendee list is one paragraph
            kept.append("")
            continue
        if not started:
            started = is_time or split_speaker(line)[0] is not None
        if not started or _MEET_NOTES.fullmatch(line):
            kept.append("")
            continue
        kept.append(raw)
    return plain.parse("\n".join(kept), name)


def _heading(line: str) -> str | None:
    key = line.rstrip(":").strip().lower()
    return key if key in _HEADINGS else None
