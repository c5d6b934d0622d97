"""Otter.ai's text export: 'Speaker 1  0:03' (name, two or more spaces, m:ss or h:mm:ss),
then what they said on the lines below, a blank line before the next speaker.

The free plan adds a 'Transcribed by https://otter.ai' line at the end: it is not speech.
"""

from __future__ import annotations

import re

from coaching.domain.transcript import Turn
from coaching.parsing.headed import WIDE_GAP, headed_turns, read_header

_FOOTER = re.compile(r"transcribed by\s+(?:https?://)?(?:www\.)?otter\.ai/?", re.IGNORECASE)


def is_header(line: str) -> bool:
    return read_header(line, WIDE_GAP) is not None


def parse(text: str, name: str) -> list[Turn]:
    lines = ["" if _FOOTER.fullmatch(line.strip()) else line for line in text.split("\n")]
    return headed_turns(
        lines,
        name,
        WIDE_GAP,
        keep_preamble=True,
        where=lambda line, _header: f"line {line}",
    )
