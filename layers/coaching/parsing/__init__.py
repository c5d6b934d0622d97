"""Transcript parsers: bytes in, a Transcript out, or TranscriptRejected with a clear message.

Public interface: parse_transcript, SUPPORTED_FORMATS and MAX_TRANSCRIPT_BYTES. Every
failure is a TranscriptRejected naming the file and saying what to do; nothing else escapes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import UNKNOWN_SPEAKER, Transcript, Turn
from coaching.parsing import (
    aws_transcribe_json,
    fireflies_json,
    json_doc,
    meet_txt,
    otter_txt,
    plain,
    sbv,
    srt_format,
    teams_docx,
    vtt,
    zoom_txt,
)
from coaching.parsing.decoding import MAX_TRANSCRIPT_BYTES, check_size, decode
from coaching.parsing.detect import OTHER_JSON, detect, text_layout
from coaching.parsing.messages import (
    FORMAT_LABELS,
    FORMAT_NAMES,
    display_name,
    rejected,
    supported_list,
)
from coaching.parsing.recorded_on import front_matter_date

SUPPORTED_FORMATS: tuple[str, ...] = FORMAT_NAMES
DOCX = "teams_docx"

# Parsers of text; the Word document is read from its bytes.
_TEXT_PARSERS: dict[str, Callable[[str, str], list[Turn]]] = {
    "vtt": vtt.parse,
    "srt": srt_format.parse,
    "sbv": sbv.parse,
    "zoom_txt": zoom_txt.parse,
    "otter_txt": otter_txt.parse,
    "meet_txt": meet_txt.parse,
    "fireflies_json": fireflies_json.parse,
    "aws_transcribe_json": aws_transcribe_json.parse,
    "plain": plain.parse,
}
assert set(_TEXT_PARSERS) | {DOCX} == set(SUPPORTED_FORMATS)


def parse_transcript(data: bytes, filename: str, format_hint: str | None = None) -> Transcript:
    """Read a transcript file; format_hint, one of SUPPORTED_FORMATS, skips detection."""
    name = display_name(filename)
    forced = _forced_format(format_hint, name)
    data = bytes(data)
    check_size(data, name)
    if forced == DOCX:
        document = teams_docx.read_document(data, name)
        turns = teams_docx.teams_turns(document.lines, name)
        if turns is None:
            raise teams_docx.not_a_transcript(name)
        return Transcript(format=DOCX, turns=turns, recorded_on=_document_day(document))
    if forced is None and _is_word_document(data, filename):
        return _word_document(data, name)

    text = decode(data, name)
    format_name = forced or detect(text, filename)
    if format_name == OTHER_JSON:
        json_doc.load(text, name)  # a broken document is refused as such
        raise json_doc.not_a_transcript(name)
    return Transcript(
        format=format_name,
        turns=_TEXT_PARSERS[format_name](text, name),
        recorded_on=_text_day(format_name, text),
    )


def require_speaker_names(transcript: Transcript, filename: str) -> None:
    """A transcript of nameless cues cannot tell the coach from the clients: refused."""
    if all(turn.speaker == UNKNOWN_SPEAKER for turn in transcript.turns):
        raise TranscriptRejected(
            f"{display_name(filename)} has no speaker names, so participants cannot be told apart.",
            hint="Export the transcript with speaker names (Zoom: 'Name: text' cues; "
            "Teams: voice tags) or write it as 'Name: text' lines.",
        )


def _word_document(data: bytes, name: str) -> Transcript:
    """A Teams layout first; else the document's lines as the text export they copy
    (Google Meet's Doc, Rev's headers, 'Name: text' lines); refused if they read as no
    transcript, with the message a Word document of prose always had."""
    document = teams_docx.read_document(data, name)
    recorded_on = _document_day(document)
    turns = teams_docx.teams_turns(document.lines, name)
    if turns is not None:
        return Transcript(format=DOCX, turns=turns, recorded_on=recorded_on)
    text = "\n".join(document.lines)
    format_name = text_layout(text)
    if format_name is None:
        raise teams_docx.not_a_transcript(name)
    if format_name == "plain":  # unlike a text file, a document opens with a title
        text = plain.from_first_speaker(text)
    turns = _TEXT_PARSERS[format_name](text, name)
    return Transcript(format=format_name, turns=turns, recorded_on=recorded_on)


def _document_day(document: teams_docx.WordDocument) -> dt.date | None:
    """The date under the title, else the day the document says it was created."""
    return front_matter_date(document.lines) or document.created


def _text_day(format_name: str, text: str) -> dt.date | None:
    """The day a text export says it was recorded; None for formats that never say
    (subtitles, Zoom's and Otter's text, Amazon Transcribe)."""
    if format_name == "fireflies_json":
        return fireflies_json.recorded_on(text)
    if format_name in ("meet_txt", "plain"):  # a title and a date may come before the turns
        return front_matter_date(text.split("\n"))
    return None


def _is_word_document(data: bytes, filename: str) -> bool:
    """A ZIP archive is read as a Word document, and refused as one if it is not; a
    damaged archive only if it is called .docx: otherwise it is just a binary file."""
    kind = teams_docx.kind_of(data)
    if kind == teams_docx.DAMAGED:
        return filename.lower().endswith(".docx")
    return kind is not None


def _forced_format(format_hint: str | None, name: str) -> str | None:
    if format_hint is None or not format_hint.strip():
        return None
    wanted = format_hint.strip().lower()
    if wanted not in SUPPORTED_FORMATS:
        shown = format_hint.strip()[:24]
        raise rejected(
            f"{name}: unknown transcript format '{shown}'. Supported formats: {supported_list()}.",
            hint="Leave the format out to detect it, or pass one of the supported formats.",
        )
    return wanted


__all__ = [
    "FORMAT_LABELS",
    "MAX_TRANSCRIPT_BYTES",
    "SUPPORTED_FORMATS",
    "parse_transcript",
    "require_speaker_names",
]
