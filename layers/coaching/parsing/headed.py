"""Turns under a header line 'Name   0:03': Otter's text export and Teams' Word export.

The header holds the speaker and the time since the start of the recording, m:ss or
h:mm:ss; what they said follows on the lines below it, up to the next header.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import invalid_timestamp
from coaching.parsing.speakers import split_speaker
from coaching.parsing.turns import Draft, speaker_turns

_TIME = r"\d{1,3}:\d{2}(?::\d{2})?"
# Otter: two or more spaces (or a tab) between the name and the time.
WIDE_GAP = re.compile(rf"(?P<speaker>\S.{{0,99}}?)(?: {{2,}}|\t)[ \t]*(?P<time>{_TIME})")
# Teams' Word export is seen with one space as well as several.
ANY_GAP = re.compile(rf"(?P<speaker>\S.{{0,99}}?)[ \t]+(?P<time>{_TIME})")


def read_header(line: str, pattern: re.Pattern[str]) -> tuple[str, str] | None:
    """(speaker, time as written) if the line is a header."""
    match = pattern.fullmatch(line.strip())
    if match is None:
        return None
    speaker = match["speaker"].strip()
    # 'Ann: 10:30' and 'Ann: see you at 10:30' are somebody saying a time
    if speaker.endswith(":") or split_speaker(speaker)[0] is not None:
        return None
    return speaker, match["time"]


def headed_turns(
    lines: list[str],
    name: str,
    pattern: re.Pattern[str],
    *,
    keep_preamble: bool,
    where: Callable[[int, int], str],
) -> list[Turn]:
    """Turns of header-led text.

    Lines before the first header are an unknown speaker's words if keep_preamble, or
    left out (a document's title and date) if not. where(line_number, header_number)
    names the place of a bad timestamp in a message.
    """
    drafts: list[Draft] = []
    current: Draft | None = None
    headers = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        header = read_header(line, pattern) if line else None
        if header is not None:
            headers += 1
            speaker, token = header
            start = _seconds(token, name, where(number, headers))
            current = Draft(speaker=speaker or UNKNOWN_SPEAKER, start=start)
            drafts.append(current)
        elif line:
            if current is None:
                if not keep_preamble:
                    continue
                current = Draft(speaker=UNKNOWN_SPEAKER)
                drafts.append(current)
            current.lines.append(line)

    return speaker_turns(drafts, name)


def _seconds(token: str, name: str, where: str) -> float:
    parts = [int(part) for part in token.split(":")]
    hours, minutes, seconds = parts if len(parts) == 3 else [0, *parts]
    # m:ss may run past an hour (75:03); in h:mm:ss the minutes may not
    if seconds > 59 or (len(parts) == 3 and minutes > 59):
        raise invalid_timestamp(name, where, token)
    return float(hours * 3600 + minutes * 60 + seconds)
