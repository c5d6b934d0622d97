"""Which format a transcript is in: by its content first, by its extension only on a tie.

A Word document is recognised from its bytes, before any decoding (see teams_docx).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from coaching.parsing import (
    aws_transcribe_json,
    fireflies_json,
    json_doc,
    meet_txt,
    otter_txt,
    plain,
    sbv,
    zoom_txt,
)

OTHER_JSON = "json"  # JSON, but not a transcript format: refused by name, not parsed

_SRT_START = re.compile(r"\d+[ \t]*\n[ \t]*\d+:\d{1,2}:\d{1,2},\d{1,3}[ \t]*-->")
_CUE_TIMING = re.compile(r"^[ \t]*[\d:]*\d[.,]\d+[ \t]*-->", re.MULTILINE)
_BY_EXTENSION = {".vtt": "vtt", ".srt": "srt", ".sbv": "sbv", ".json": OTHER_JSON}


def detect(text: str, filename: str) -> str:
    """One of the parser names, or OTHER_JSON."""
    body = text.lstrip()
    first_line = body.split("\n", 1)[0]
    by_extension = _BY_EXTENSION.get(_extension(filename))
    return (
        _json_document(body, first_line, by_extension)
        or _by_opening(body, first_line)
        or _by_lines_inside(body, by_extension)
        or by_extension
        or "plain"
    )


def text_layout(text: str) -> str | None:
    """The format of text that says it is a transcript, or None: for the text of a Word
    document, which gets no fallback to plain text and no say from its extension."""
    body = text.lstrip()
    return _by_opening(body, body.split("\n", 1)[0]) or _by_lines_inside(body, None)


def _json_document(body: str, first_line: str, by_extension: str | None) -> str | None:
    """A JSON transcript's format, OTHER_JSON for other JSON; None if it is not JSON (a Zoom
    text export also starts with "[")."""
    if body.startswith("{") or (body.startswith("[") and not zoom_txt.is_header(first_line)):
        json_format = _json_format(body)
        if json_format is not None or body.startswith("{") or by_extension == OTHER_JSON:
            return json_format or OTHER_JSON
    return None


# Formats that say what they are where they start, tried in this order.
_OPENINGS: tuple[tuple[str, Callable[[str, str], object]], ...] = (
    ("vtt", lambda body, first_line: body.startswith("WEBVTT")),
    ("srt", lambda body, first_line: _SRT_START.match(body)),
    ("zoom_txt", lambda body, first_line: zoom_txt.is_header(first_line)),
    ("sbv", lambda body, first_line: sbv.is_timing(first_line)),
    ("otter_txt", lambda body, first_line: otter_txt.is_header(first_line)),
)


def _by_opening(body: str, first_line: str) -> str | None:
    return next((name for name, opens in _OPENINGS if opens(body, first_line)), None)


def _by_lines_inside(body: str, by_extension: str | None) -> str | None:
    """Formats recognised by lines further in: cue timings, SBV cues, `Name: text` lines."""
    cue_timing = _CUE_TIMING.search(body)
    if cue_timing is not None:
        # Cue timings without a WEBVTT header or SRT numbering: a damaged subtitle file.
        if by_extension in ("vtt", "srt"):
            return by_extension
        return "srt" if "," in cue_timing.group(0) else "vtt"
    if sbv.has_timing_line(body):  # SBV cues after something else: refused with the place
        return "sbv"
    if otter_txt.has_speaker_paragraphs(body):  # before plain: a stray 'Note: ' in the words
        return "otter_txt"
    if plain.has_speaker_line(body):
        return "meet_txt" if meet_txt.has_markers(body) else "plain"
    return None


def _json_format(body: str) -> str | None:
    document = json_doc.loads_or_none(body)
    if document is None:
        return None
    if fireflies_json.sentences_of(document) is not None:
        return "fireflies_json"
    if aws_transcribe_json.is_transcribe_output(document):
        return "aws_transcribe_json"
    return OTHER_JSON


def _extension(filename: str) -> str:
    base = re.split(r"[/\\]", filename or "")[-1].lower()
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""
