"""Otter.ai's text export: 'Speaker 1  0:03' (name, two or more spaces, m:ss or h:mm:ss),
then what they said on the lines below, a blank line before the next speaker.

Exported without timestamps, the header is the name alone ('Speaker 1' or 'Mira Okafor'),
each paragraph still opening with its speaker's name on a line of its own.

The free plan adds a 'Transcribed by https://otter.ai' line at the end: it is not speech.
"""

from __future__ import annotations

import re

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing.headed import WIDE_GAP, headed_turns, read_header
from coaching.parsing.turns import Draft, speaker_turns

_FOOTER = re.compile(r"transcribed by\s+(?:https?://)?(?:www\.)?otter\.ai/?", re.IGNORECASE)
_MAX_NAME_WORDS = 5
_MAX_NAME_LENGTH = 60
# Without timestamps nothing but the layout says it is a transcript, so detection asks for
# a conversation: this many named paragraphs, a name heading more than one, and nearly
# every paragraph named (prose with headings has unnamed paragraphs, and no repeats).
_MIN_NAMED_PARAGRAPHS = 3
_MIN_NAMED_SHARE = 0.8


def is_header(line: str) -> bool:
    return read_header(line, WIDE_GAP) is not None


def has_speaker_paragraphs(text: str) -> bool:
    """Whether the text is Otter's export without timestamps, for format detection."""
    paragraphs = [lines for lines in _paragraphs(text) if len(lines) > 1]
    names = [lines[0] for lines in paragraphs if _is_name(lines[0])]
    return (
        len(names) >= _MIN_NAMED_PARAGRAPHS
        and len(set(names)) < len(names)
        and len(names) >= _MIN_NAMED_SHARE * len(paragraphs)
    )


def parse(text: str, name: str) -> list[Turn]:
    lines = ["" if _FOOTER.fullmatch(line.strip()) else line for line in text.split("\n")]
    if not any(is_header(line) for line in lines) and has_speaker_paragraphs("\n".join(lines)):
        return _paragraph_turns("\n".join(lines), name)
    return headed_turns(
        lines,
        name,
        WIDE_GAP,
        keep_preamble=True,
        where=lambda line, _header: f"line {line}",
    )


def _paragraph_turns(text: str, name: str) -> list[Turn]:
    drafts = []
    for lines in _paragraphs(text):
        if len(lines) > 1 and _is_name(lines[0]):
            drafts.append(Draft(speaker=lines[0], lines=lines[1:]))
        else:  # a paragraph without its speaker's name: nobody can tell who said it
            drafts.append(Draft(speaker=UNKNOWN_SPEAKER, lines=lines))
    return speaker_turns(drafts, name)


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for raw in text.split("\n"):
        line = raw.strip()
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [lines for lines in paragraphs if lines]


def _is_name(line: str) -> bool:
    """'Speaker 2', 'Mira Okafor', 'Unknown Speaker': a few capitalised words, nothing else."""
    words = line.split()
    return (
        len(line) <= _MAX_NAME_LENGTH
        and 0 < len(words) <= _MAX_NAME_WORDS
        and words[0][0].isupper()
        and all(word[0].isupper() or word.isdigit() for word in words)
        and not any(mark in line for mark in ':;,.?!()[]"')
    )
