"""WebVTT (Zoom, Teams, captions) through webvtt-py.

Before webvtt-py sees the file, every cue timing line is checked and rewritten in the
canonical hh:mm:ss.fff form: webvtt-py silently drops a cue whose timestamp it cannot
read, and older releases do not read Teams' "0:0:0.570". Checking first lets the
person hear which cue is wrong instead of losing it.
"""

from __future__ import annotations

import html
import io
import re

import webvtt
from webvtt.errors import MalformedFileError

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.messages import invalid_timestamp, rejected
from coaching.parsing.speakers import split_speaker, voice_of, voice_spans
from coaching.parsing.timestamps import as_cue_time, cue_seconds
from coaching.parsing.turns import Draft, cue_turns

ARROW = "-->"
_TAG = re.compile(r"<[^>]*>")
# Blocks after the cues that are not transcript text.
_NOT_TEXT_BLOCKS = ("NOTE", "STYLE", "REGION")


def parse(text: str, name: str) -> list[Turn]:
    text = text.lstrip()
    if not text.startswith("WEBVTT"):
        raise rejected(f"{name} is not a WebVTT file: its first line must be 'WEBVTT'.")
    normalised = _checked_and_normalised(text, name)
    try:
        captions = webvtt.from_buffer(io.StringIO(normalised)).captions
    except MalformedFileError as error:
        raise rejected(f"{name} is not a valid WebVTT file.") from error
    except Exception as error:  # webvtt-py's failures are not all documented
        raise rejected(f"{name} could not be read as WebVTT.") from error

    return cue_turns([draft for caption in captions for draft in _drafts(caption)], name)


def _checked_and_normalised(text: str, name: str) -> str:
    """The text with canonical cue timings; rejects bad timings and cues without one."""
    lines = text.split("\n")
    cue_number = 0
    block_start = True
    block_has_arrow = False
    block_first_line = ""
    for i, line in enumerate(lines):
        if not line:  # as in WebVTT, only a truly empty line ends a block
            _check_block(block_first_line, block_has_arrow, cue_number, name)
            block_start, block_has_arrow, block_first_line = True, False, ""
            continue
        if block_start:
            block_first_line, block_start = line, False
        if ARROW in line:
            cue_number += 1
            block_has_arrow = True
            lines[i] = _normalised_timing(line, cue_number, name)
    _check_block(block_first_line, block_has_arrow, cue_number, name)
    return "\n".join(lines)


def _check_block(first_line: str, has_arrow: bool, cues_before: int, name: str) -> None:
    """Text after the first cue outside any cue would be lost: refuse instead."""
    if has_arrow or cues_before == 0 or not first_line:
        return
    if first_line.startswith(_NOT_TEXT_BLOCKS):
        return
    raise rejected(f"{name}: the text after cue {cues_before} has no timing line.")


def _normalised_timing(line: str, cue_number: int, name: str) -> str:
    before, _, after = line.partition(ARROW)
    start_token = before.strip()
    after = after.lstrip()
    end_token = after.split(maxsplit=1)[0] if after else ""
    settings = after[len(end_token) :]
    where = f"cue {cue_number}"
    start = cue_seconds(start_token)
    if start is None:
        raise invalid_timestamp(name, where, start_token)
    end = cue_seconds(end_token)
    if end is None:
        raise invalid_timestamp(name, where, end_token)
    return f"{as_cue_time(start)} {ARROW} {as_cue_time(end)}{settings}"


def _drafts(caption: webvtt.Caption) -> list[Draft]:
    """One draft a cue; one a voice when a cue holds more than one speaker's voice span."""
    spans = voice_spans(caption.raw_text)
    if len({speaker for speaker, _ in spans}) < 2:
        return [_draft(caption)]
    start = caption.start_time.in_milliseconds() / 1000
    end = caption.end_time.in_milliseconds() / 1000
    return [
        Draft(
            speaker=html.unescape(speaker).strip() or UNKNOWN_SPEAKER,
            start=start,
            end=end,
            lines=[html.unescape(_TAG.sub("", line)).strip() for line in raw.split("\n")],
        )
        for speaker, raw in spans
    ]


def _draft(caption: webvtt.Caption) -> Draft:
    lines = [html.unescape(line).strip() for line in caption.text.split("\n")]
    lines = [line for line in lines if line]
    speaker = voice_of(caption.raw_text)
    if speaker is not None:
        speaker = html.unescape(speaker).strip() or None
    elif lines:
        speaker, lines[0] = split_speaker(lines[0])
    return Draft(
        speaker=speaker or UNKNOWN_SPEAKER,
        start=caption.start_time.in_milliseconds() / 1000,
        end=caption.end_time.in_milliseconds() / 1000,
        lines=lines,
    )
