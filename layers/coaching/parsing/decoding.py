"""Bytes to text: BOMs, UTF-8, UTF-16, a cp1252 fallback, and one kind of line ending."""

from __future__ import annotations

import codecs
import re

from coaching.parsing.messages import AS_TEXT, rejected

MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024

# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Real text has next to no control characters; random bytes decoded as cp1252 have many.
_MAX_CONTROL_SHARE = 0.01
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # all but \t \n \v \f \r


def check_size(data: bytes, name: str) -> None:
    """Refuses a file over the size limit or without any content, whatever its format."""
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise rejected(
            f"{name} is larger than the 20 MB limit.",
            hint="Upload the transcript of one session; a transcript export is far smaller.",
        )
    if not data.strip():
        raise rejected(f"{name} is empty.")


def decode(data: bytes, name: str) -> str:
    """The text of a transcript with "\\n" line endings, or TranscriptRejected."""
    check_size(data, name)
    encoding, body = _from_bom(data)
    if encoding is None and b"\x00" in data:
        # NUL bytes: UTF-16 written without a BOM, or not text at all.
        encoding = _bomless_utf16(data)
        if encoding is None:
            raise _binary(name)

    text = _decode_with(body, (encoding,) if encoding else ("utf-8", "cp1252"))
    if text is None:
        raise _binary(name)

    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise rejected(f"{name} is empty.")
    if _mostly_controls(text):
        raise _binary(name)
    return text


def _from_bom(data: bytes) -> tuple[str | None, bytes]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom) :]
    return None, data


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 of mostly Latin text has a NUL in every other byte, all on one side."""
    if len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    if odd_nuls >= 0.3 * half and even_nuls <= 0.01 * half:
        return "utf-16-le"
    if even_nuls >= 0.3 * half and odd_nuls <= 0.01 * half:
        return "utf-16-be"
    return None


def _decode_with(body: bytes, encodings: tuple[str, ...]) -> str | None:
    for encoding in encodings:
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _mostly_controls(text: str) -> bool:
    if "\x00" in text:
        return True
    return len(_CONTROLS.findall(text)) > _MAX_CONTROL_SHARE * len(text)


def _binary(name: str):
    return rejected(f"{name} looks like a binary file, not a transcript.", hint=AS_TEXT)
