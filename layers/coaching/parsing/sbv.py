"""YouTube SubViewer (.sbv) through webvtt-py: '0:00:00.378,0:00:11.378' then the cue text.

As for WebVTT, every timing line is checked and rewritten in the canonical form first:
webvtt-py silently drops a cue whose timing it cannot read, and only reads three-digit
fractions. Names are read like Zoom's ('Name: text'); YouTube's '>>' speaker-change
marker carries no name and is dropped.
"""

from __future__ import annotations

import io
import re

import webvtt
from webvtt.errors import MalformedFileError

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import invalid_timestamp, rejected
from coaching.parsing.speakers import split_speaker
from coaching.parsing.timestamps import as_cue_time, cue_seconds
from coaching.parsing.turns import Draft, cue_turns

# A timing line as written, right or wrong: two comma-separated tokens, the first a time.
_TIMING = re.compile(r"[ \t]*(?P<start>[^,\s]*:[^,\s]*),(?P<end>[^,\s]*)[ \t]*")
TIMING_EXAMPLE = "0:00:01.000,0:00:04.000"
_CHANGE_OF_SPEAKER = ">>"


def is_timing(line: str) -> bool:
    """Whether a line is a well-formed SBV timing line, for format detection."""
    match = _TIMING.fullmatch(line)
    return match is not None and all(cue_seconds(token) is not None for token in match.groups())


def has_timing_line(text: str) -> bool:
    return any(is_timing(line) for line in text.split("\n"))


def parse(text: str, name: str) -> list[Turn]:
    normalised, cues_with_text = _checked_and_normalised(text, name)
    try:
        captions = webvtt.from_buffer(io.StringIO(normalised), format="sbv").captions
    except MalformedFileError as error:
        raise rejected(f"{name} is not a valid SBV file.") from error
    except Exception as error:  # webvtt-py's failures are not all documented
        raise rejected(f"{name} could not be read as SBV.") from error
    if len(captions) != cues_with_text:  # a cue webvtt-py could not read, left out silently
        raise rejected(f"{name} could not be read as SBV: some cues have unreadable timings.")

    return cue_turns([_draft(caption) for caption in captions], name)


def _checked_and_normalised(text: str, name: str) -> tuple[str, int]:
    """Canonical timings, without timed cues that have no text; and how many cues remain."""
    blocks = _blocks(text.split("\n"))
    if not any(_TIMING.fullmatch(block[0]) for block in blocks):
        raise rejected(
            f"{name} is not an SBV file: it has no timing lines like '{TIMING_EXAMPLE}'."
        )
    kept: list[str] = []
    cue_number = 0
    for block in blocks:
        timing = _TIMING.fullmatch(block[0])
        if timing is None:
            if cue_number == 0:
                raise rejected(f"{name}: the text before the first cue has no timing line.")
            raise rejected(f"{name}: the text after cue {cue_number} has no timing line.")
        cue_number += 1
        times = []
        for token in timing.groups():
            seconds = cue_seconds(token)
            if seconds is None:
                raise invalid_timestamp(name, f"cue {cue_number}", token)
            times.append(as_cue_time(seconds))
        if len(block) > 1:  # webvtt-py refuses a file whose first cue has no text
            kept.append("\n".join([",".join(times), *block[1:]]))
    return "\n\n".join(kept) + "\n", len(kept)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of lines separated by blank ones, as webvtt-py splits them."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _draft(caption: webvtt.Caption) -> Draft:
    lines = [line.strip() for line in caption.text.split("\n")]
    lines = [line for line in lines if line]
    speaker = None
    if lines:
        first = lines[0].removeprefix(_CHANGE_OF_SPEAKER).strip()
        speaker, lines[0] = split_speaker(first)
    return Draft(
        speaker=speaker or UNKNOWN_SPEAKER,
        start=caption.start_time.in_milliseconds() / 1000,
        end=caption.end_time.in_milliseconds() / 1000,
        lines=lines,
    )
