"""Word (.docx) transcripts, read with python-docx; Microsoft Teams' layouts here.

Two Teams layouts are in use. The older one mirrors WebVTT: a timing line
('0:0:3.120 --> 0:0:8.410'), the speaker's name, then the text. The current one has a
header 'Name   0:03' (m:ss or h:mm:ss since the start) and the text below it. Either may
sit in separate paragraphs or in one paragraph broken into lines. Paragraphs before the
first timing or header (title, date, duration) and Teams' 'X started transcription'
notes are left out.

Other tools' Word transcripts (Google Meet's Google Doc downloaded as .docx, Rev's) hold
the same lines as their text exports: paragraph_lines gives them to the text parsers
(see parse_transcript).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.headed import ANY_GAP, headed_turns, read_header
from coaching.parsing.messages import invalid_timestamp, rejected
from coaching.parsing.recorded_on import plausible
from coaching.parsing.speakers import split_speaker
from coaching.parsing.timestamps import cue_seconds
from coaching.parsing.turns import Draft, cue_turns

ZIP_MAGIC = b"PK\x03\x04"
DOCUMENT_PART = "word/document.xml"
ARROW = "-->"
# Unpacked, a transcript's .docx is a few times its size; far more is a zip bomb.
_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_MAX_ENTRIES = 2000
_TIMING = re.compile(r"[ \t]*(?P<start>[^\s>]+)[ \t]*-->[ \t]*(?P<end>\S+)[ \t]*")
_TRANSCRIPTION_NOTE = re.compile(r".{1,120}?\b(?:started|stopped) transcription\.?", re.I)
_PYTHON_DOCX_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15)
HINT = (
    "Download the transcript from Teams again, as .docx or .vtt; "
    "or upload a .txt file with 'Name: text' lines."
)


# What a file starting with the ZIP signature turned out to be.
DOCX = "docx"
OTHER_ZIP = "zip"
DAMAGED = "damaged"


def kind_of(data: bytes) -> str | None:
    """None unless the bytes start like a ZIP archive (as every .docx does)."""
    if not data.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return DAMAGED
    return DOCX if DOCUMENT_PART in names else OTHER_ZIP


def parse(data: bytes, name: str) -> list[Turn]:
    """A Teams transcript's turns; refused if the document has neither Teams layout."""
    turns = teams_turns(paragraph_lines(data, name), name)
    if turns is None:
        raise not_a_transcript(name)
    return turns


def paragraph_lines(data: bytes, name: str) -> list[str]:
    """The document's non-blank lines, after checking it is a Word document to open."""
    return read_document(data, name).lines


@dataclass(frozen=True)
class WordDocument:
    lines: list[str]
    created: dt.date | None  # the document's own creation day, if it says one


def read_document(data: bytes, name: str) -> WordDocument:
    """The document's non-blank lines and its creation day, after checking it is a Word
    document to open."""
    kind = kind_of(data)
    if kind is None:
        raise rejected(f"{name} is not a Word (.docx) document.", hint=HINT)
    if kind == DAMAGED:
        raise rejected(f"{name} is a damaged Word or ZIP file and cannot be opened.", hint=HINT)
    if kind == OTHER_ZIP:
        raise rejected(f"{name} is a ZIP archive, not a Word (.docx) document.", hint=HINT)
    _check_unpacked_size(data, name)
    # Imported here: python-docx and lxml are a tenth of a second every CLI start would pay.
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return WordDocument(list(_lines(document)), _created(document.core_properties))
    except Exception as error:  # python-docx, lxml and zipfile fail in many ways
        raise rejected(f"{name} could not be read as a Word document.", hint=HINT) from error


def teams_turns(lines: list[str], name: str) -> list[Turn] | None:
    """The turns of either Teams layout, or None if the lines have neither."""
    if any(_TIMING.fullmatch(line) for line in lines):
        return _timed_turns(lines, name)
    if any(read_header(line, ANY_GAP) for line in lines):
        lines = ["" if _TRANSCRIPTION_NOTE.fullmatch(line) else line for line in lines]
        return headed_turns(
            lines,
            name,
            ANY_GAP,
            keep_preamble=False,
            where=lambda _line, header: f"turn {header}",
        )
    return None


def not_a_transcript(name: str) -> TranscriptRejected:
    return rejected(
        f"{name} is a Word document but not a Teams transcript: "
        "it has no 'Name 0:03' or timing lines.",
        hint=HINT,
    )


def _check_unpacked_size(data: bytes, name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
    if len(entries) > _MAX_ENTRIES or sum(e.file_size for e in entries) > _MAX_UNPACKED_BYTES:
        raise rejected(f"{name} is too large once unpacked to be a transcript.", hint=HINT)


def _created(properties) -> dt.date | None:
    """The core properties' creation day; None for python-docx's template stamp, the day
    its template was made, which every document it writes without a date of its own has."""
    created = properties.created
    if created is None or created.replace(tzinfo=None) == _PYTHON_DOCX_TEMPLATE_CREATED:
        return None
    return plausible(created)


def _lines(document) -> Iterator[str]:
    """The text of every paragraph, tables included, in order, one line per line break."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = document.element.body
    for element in body.iter(qn("w:p")):
        for line in Paragraph(element, document).text.split("\n"):
            if line.strip():
                yield line.strip()


def _timed_turns(lines: list[str], name: str) -> list[Turn]:
    """The older layout: timing line, speaker line, text lines."""
    cues: list[tuple[float, float, list[str]]] = []
    for line in lines:
        timing = _TIMING.fullmatch(line)
        if timing is not None:
            where = f"cue {len(cues) + 1}"
            start, end = (_cue_time(timing[key], name, where) for key in ("start", "end"))
            cues.append((start, end, []))
        elif cues:
            cues[-1][2].append(line)
        # before the first timing line: the document's title, left out
    return cue_turns([_draft(start, end, body) for start, end, body in cues], name)


def _cue_time(token: str, name: str, where: str) -> float:
    seconds = cue_seconds(token)
    if seconds is None:
        raise invalid_timestamp(name, where, token)
    return seconds


def _draft(start: float, end: float, body: list[str]) -> Draft:
    if len(body) >= 2:  # the speaker's name on its own line, then the words
        speaker, lines = body[0], body[1:]
    else:
        speaker, first = split_speaker(body[0]) if body else (None, "")
        lines = [first] if first else []
    return Draft(speaker=speaker or UNKNOWN_SPEAKER, start=start, end=end, lines=lines)
