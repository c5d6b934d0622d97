"""Zoom's plain-text transcript: a '[Name] hh:mm:ss' (or 'Name<TAB>hh:mm:ss') line,
then what they said on the lines below it.

The times are clock times of the meeting, read as seconds since midnight: they order
the turns and give each a length, which is all the pipeline needs from them.
"""

from __future__ import annotations

import re

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import invalid_timestamp
from coaching.parsing.turns import Draft, speaker_turns

_TIME = r"\d{1,2}:\d{1,2}(?::\d{1,2})?"
_HEADER = re.compile(
    rf"\[(?P<bracketed>[^\]\n]{{1,100}})\][ \t]+(?P<time1>{_TIME})"
    rf"|(?P<tabbed>[^\t\n]{{1,100}}?)\t+(?P<time2>{_TIME})"
)
_PARTS = re.compile(r"(\d+):(\d+)(?::(\d+))?")


def is_header(line: str) -> bool:
    return _HEADER.fullmatch(line.strip()) is not None


def parse(text: str, name: str) -> list[Turn]:
    drafts: list[Draft] = []
    current: Draft | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        header = _HEADER.fullmatch(line)
        if header is not None:
            speaker = (header["bracketed"] or header["tabbed"] or "").strip()
            current = Draft(
                speaker=speaker or UNKNOWN_SPEAKER,
                start=_seconds(header["time1"] or header["time2"], number, name),
            )
            drafts.append(current)
        elif line:
            if current is None:  # words before the first header: nobody to give them to
                current = Draft(speaker=UNKNOWN_SPEAKER)
                drafts.append(current)
            current.lines.append(line)

    return speaker_turns(drafts, name)


def _seconds(token: str, number: int, name: str) -> float:
    match = _PARTS.fullmatch(token)
    assert match is not None  # _HEADER only admits this shape
    first, second, third = (int(part) if part else None for part in match.groups())
    hours, minutes, seconds = (first, second, third) if third is not None else (0, first, second)
    if minutes > 59 or seconds > 59:
        raise invalid_timestamp(name, f"line {number}", token)
    return float(hours * 3600 + minutes * 60 + seconds)
