"""Which format a transcript is in: by its content first, by its extension only on a tie."""

from __future__ import annotations

import re

from coaching.parsing import plain, zoom_txt

SBV = "sbv"  # recognised so it can be refused by name, not parsed

_SRT_START = re.compile(r"\d+[ \t]*\n[ \t]*\d+:\d{1,2}:\d{1,2},\d{1,3}[ \t]*-->")
_SBV_TIMING = re.compile(r"\d+:\d{1,2}:\d{1,2}\.\d{1,3},\d+:\d{1,2}:\d{1,2}\.\d{1,3}[ \t]*")
_CUE_TIMING = re.compile(r"^[ \t]*[\d:]*\d[.,]\d+[ \t]*-->", re.MULTILINE)
_BY_EXTENSION = {".vtt": "vtt", ".srt": "srt", ".sbv": SBV}


def detect(text: str, filename: str) -> str:
    """One of the parser names, or SBV."""
    body = text.lstrip()
    first_line = body.split("\n", 1)[0]
    if body.startswith("WEBVTT"):
        return "vtt"
    if _SRT_START.match(body):
        return "srt"
    if zoom_txt.is_header(first_line):
        return "zoom_txt"
    if _SBV_TIMING.fullmatch(first_line):
        return SBV

    by_extension = _BY_EXTENSION.get(_extension(filename))
    cue_timing = _CUE_TIMING.search(body)
    if cue_timing is not None:
        # Cue timings without a WEBVTT header or SRT numbering: a damaged subtitle file.
        if by_extension in ("vtt", "srt"):
            return by_extension
        return "srt" if "," in cue_timing.group(0) else "vtt"
    if plain.has_speaker_line(body):
        return "plain"
    return by_extension or "plain"


def _extension(filename: str) -> str:
    base = re.split(r"[/\\]", filename or "")[-1].lower()
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""
