"""Timestamps as written in transcripts, read into seconds.

Every pattern only admits digits, so a time read here is never negative.
"""

from __future__ import annotations

import re

# WebVTT: [h:]mm:ss.fff; Teams shortens every field ("0:0:0.570"), which is accepted here.
_CUE_TIME = re.compile(r"(?:(\d{1,10}):)?(\d{1,2}):(\d{1,2})\.(\d{1,3})")
# SRT: hh:mm:ss,fff; a dot instead of the comma is common enough to accept.
_SRT_TIME = re.compile(r"(\d{1,10}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})")
# Plain text and Zoom text: [h:]mm:ss with optional fraction.
CLOCK = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_CLOCK_TIME = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?")


def cue_seconds(token: str) -> float | None:
    """Seconds of a WebVTT cue time, or None if it is not one."""
    return _seconds(_CUE_TIME.fullmatch(token))


def srt_seconds(token: str) -> float | None:
    return _seconds(_SRT_TIME.fullmatch(token))


def clock_seconds(token: str) -> float | None:
    return _seconds(_CLOCK_TIME.fullmatch(token))


def as_cue_time(seconds: float) -> str:
    """The canonical WebVTT form, hh:mm:ss.fff, that every WebVTT reader accepts."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _seconds(match: re.Match[str] | None) -> float | None:
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    # The fraction is padded on the right: ".5" is half a second, as WebVTT readers do.
    millis = int((fraction or "0").ljust(3, "0"))
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + millis / 1000
