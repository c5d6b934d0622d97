"""Transcript parsers: bytes in, a Transcript out, or TranscriptRejected with a clear message.

Public interface: parse_transcript, SUPPORTED_FORMATS and MAX_TRANSCRIPT_BYTES. Every
failure is a TranscriptRejected naming the file and saying what to do; nothing else escapes.
"""

from __future__ import annotations

from collections.abc import Callable

from coaching.domain.transcript import Transcript, Turn
from coaching.parsing import plain, srt_format, vtt, zoom_txt
from coaching.parsing.decoding import MAX_TRANSCRIPT_BYTES, decode
from coaching.parsing.detect import SBV, detect
from coaching.parsing.messages import FORMAT_NAMES, display_name, rejected, supported_list

SUPPORTED_FORMATS: tuple[str, ...] = FORMAT_NAMES

_PARSERS: dict[str, Callable[[str, str], list[Turn]]] = {
    "vtt": vtt.parse,
    "srt": srt_format.parse,
    "zoom_txt": zoom_txt.parse,
    "plain": plain.parse,
}


def parse_transcript(data: bytes, filename: str, format_hint: str | None = None) -> Transcript:
    """Read a transcript file; format_hint, one of SUPPORTED_FORMATS, skips detection."""
    name = display_name(filename)
    forced = _forced_format(format_hint, name)
    text = decode(bytes(data), name)
    format_name = forced or detect(text, filename)
    if format_name == SBV:
        raise rejected(
            f"{name} is a YouTube SBV file, which is not supported yet. "
            f"Supported formats: {supported_list()}.",
            hint="Download the captions from YouTube as .vtt or .srt instead.",
        )
    return Transcript(format=format_name, turns=_PARSERS[format_name](text, name))


def _forced_format(format_hint: str | None, name: str) -> str | None:
    if format_hint is None or not format_hint.strip():
        return None
    wanted = format_hint.strip().lower()
    if wanted not in _PARSERS:
        shown = format_hint.strip()[:24]
        raise rejected(
            f"{name}: unknown transcript format '{shown}'. Supported formats: {supported_list()}.",
            hint="Leave the format out to detect it, or pass one of the supported formats.",
        )
    return wanted


__all__ = ["MAX_TRANSCRIPT_BYTES", "SUPPORTED_FORMATS", "parse_transcript"]
