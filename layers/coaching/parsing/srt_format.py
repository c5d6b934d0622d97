"""SubRip (.srt) through the srt package.

Timing lines and numbered blocks are checked first: srt accepts a block without a timing
line as more text of the previous cue, which would put words in the wrong turn.
"""

from __future__ import annotations

import re

import srt

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import invalid_timestamp, rejected
from coaching.parsing.speakers import split_speaker, voice_of
from coaching.parsing.timestamps import srt_seconds
from coaching.parsing.turns import Draft, cue_turns

ARROW = "-->"
_INDEX = re.compile(r"\s*\d+\s*")
# Formatting SRT players understand; anything else in angle brackets is kept as text.
_TAG = re.compile(r"</?(?:[bius]|font|c|v|lang|ruby|rt)(?:[.\s][^<>]*)?>|<\d[\d:.,]*>", re.I)
_STYLE_OVERRIDE = re.compile(r"\{\\[^{}]*\}")


def parse(text: str, name: str) -> list[Turn]:
    _check(text, name)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as error:
        line = _line_of(text, error.expected_start, error.unmatched_content)
        raise rejected(
            f"{name} is not a valid SRT file: line {line} is not part of a numbered cue."
        ) from error
    except Exception as error:  # srt's other failures (e.g. overflowing times) are rare
        raise rejected(f"{name} could not be read as SRT.") from error

    return cue_turns([_draft(subtitle) for subtitle in subtitles], name)


def _check(text: str, name: str) -> None:
    lines = text.split("\n")
    ordinal = 0
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        if ARROW in line:
            ordinal += 1
            label = previous.strip() if _INDEX.fullmatch(previous) else str(ordinal)
            before, _, after = line.partition(ARROW)
            tokens = after.split(maxsplit=1)
            for token in (before.strip(), tokens[0] if tokens else ""):
                if srt_seconds(token) is None:
                    raise invalid_timestamp(name, f"cue {label}", token)
        elif _INDEX.fullmatch(line) and not previous.strip():
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if following.strip() and ARROW not in following:
                raise rejected(f"{name}: cue {line.strip()} has no timing line.")


def _line_of(text: str, position: int, unmatched: str) -> int:
    skipped = len(unmatched) - len(unmatched.lstrip())
    return text.count("\n", 0, position + skipped) + 1


def _draft(subtitle: srt.Subtitle) -> Draft:
    raw_lines = subtitle.content.split("\n")
    speaker = voice_of(raw_lines[0]) if raw_lines else None
    lines = [_STYLE_OVERRIDE.sub("", _TAG.sub("", line)).strip() for line in raw_lines]
    lines = [line for line in lines if line]
    if speaker is None and lines:
        speaker, lines[0] = split_speaker(lines[0])
    return Draft(
        speaker=speaker or UNKNOWN_SPEAKER,
        start=subtitle.start.total_seconds(),
        end=subtitle.end.total_seconds(),
        lines=lines,
    )
