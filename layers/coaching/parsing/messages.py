"""Rejection messages: what went wrong with which file, and what the person can do about it.

Messages name the file and the problem but never quote transcript text, because the
saga records a failure's message in its execution history.
"""

from __future__ import annotations

import re

from coaching.domain.errors import TranscriptRejected

FORMAT_NAMES = (
    "vtt",
    "srt",
    "sbv",
    "zoom_txt",
    "otter_txt",
    "meet_txt",
    "teams_docx",
    "fireflies_json",
    "aws_transcribe_json",
    "plain",
)
# What each format is, for people choosing one (help text, docs): the same keys.
FORMAT_LABELS = {
    "vtt": "WebVTT .vtt (Zoom cloud 'Name: text' cues, Teams <v Name> tags)",
    "srt": "SubRip .srt",
    "sbv": "YouTube .sbv",
    "zoom_txt": "Zoom .txt",
    "otter_txt": "Otter .txt, with or without timestamps",
    "meet_txt": "Google Meet .txt or .docx",
    "teams_docx": "Teams .docx (both layouts)",
    "fireflies_json": "Fireflies .json (the app's download or the API's)",
    "aws_transcribe_json": "Amazon Transcribe .json (speaker or channel labels)",
    "plain": "plain 'Name: text' lines or Rev's 'Name (00:01):' headers (.txt or .docx), "
    "with or without timestamps",
}
assert tuple(FORMAT_LABELS) == FORMAT_NAMES

EXPORT_AGAIN = (
    "Export the transcript again from Zoom or Teams as .vtt, "
    "or upload an .srt or a 'Name: text' file."
)
ONE_TURN_PER_LINE = (
    "Put each turn on its own line as 'Name: what they said', "
    "or upload the .vtt transcript from Zoom or Teams."
)
AS_TEXT = (
    "Upload the transcript export itself: a .vtt, .srt, .sbv or .txt file, "
    "the .docx from Teams or Google Meet, or the .json from Fireflies or Amazon Transcribe "
    "(not a .pdf)."
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MAX_NAME = 120
_MAX_TOKEN = 24


def display_name(filename: str) -> str:
    """The file's own name, without folders, safe to put in a one-line message."""
    base = re.split(r"[/\\]", filename or "")[-1]
    base = _CONTROL.sub("", base).strip()
    if len(base) > _MAX_NAME:
        base = base[: _MAX_NAME - 1] + "…"
    return base or "The transcript"


def quoted_token(token: str) -> str | None:
    """A timestamp as written, quoted, if it is short and single-word; None otherwise.

    A long or spaced token is probably transcript text, which must not leak into a message.
    """
    token = token.strip()
    if not token or len(token) > _MAX_TOKEN or any(ch.isspace() for ch in token):
        return None
    return f"'{_CONTROL.sub('', token)}'"


def rejected(message: str, hint: str = EXPORT_AGAIN) -> TranscriptRejected:
    return TranscriptRejected(message, hint=hint)


def invalid_timestamp(name: str, where: str, token: str) -> TranscriptRejected:
    shown = quoted_token(token)
    if shown is None:
        return rejected(f"{name}: {where} has an invalid timing line.")
    return rejected(f"{name}: {where} has an invalid timestamp {shown}.")


def supported_list() -> str:
    return ", ".join(FORMAT_NAMES)
