"""Who is speaking in a line of text: a voice tag or a short 'Name: ' prefix."""

from __future__ import annotations

import re

# Zoom writes "Name: text"; the name is what comes before the first ": ".
_NAME_PREFIX = re.compile(r"([^:\n]{1,60}):(?:[ \t]+|$)")
_VOICE = re.compile(r"<v(?:\.[\w-]+)*[ \t]+([^>]+)>")
# Punctuation that ends a sentence when followed by a space: "Okay. So the point is: ..."
_PUNCTUATION_BEFORE_SPACE = re.compile(r"(\S*?)([.!?…]+)(?=\s)")
# A period after these is part of a name ("Dr. Ada Lovelace", "T. Wambsgans").
_ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "jr", "sr", "st"})


def split_speaker(line: str) -> tuple[str | None, str]:
    """(name, rest of the line) when the line starts with 'Name: ', else (None, line)."""
    match = _NAME_PREFIX.match(line)
    if match is None:
        return None, line
    name = match.group(1).strip()
    if not name or _ends_a_sentence(name):
        return None, line
    return name, line[match.end() :]


def voice_of(raw_first_line: str) -> str | None:
    """The speaker of a WebVTT voice span, as Teams writes it: '<v Name>text</v>'."""
    match = _VOICE.match(raw_first_line.lstrip())
    return (match.group(1).strip() or None) if match else None


def voice_spans(raw_text: str) -> list[tuple[str, str]]:
    """Each voice span of a cue as (speaker, its raw text): a cue may hold several voices,
    as WebVTT allows ('<v Ann>Hi.</v>' then '<v Bo>Hello.</v>')."""
    starts = list(_VOICE.finditer(raw_text))
    ends = [match.start() for match in starts[1:]] + [len(raw_text)] if starts else []
    return [
        (match.group(1).strip(), raw_text[match.end() : end])
        for match, end in zip(starts, ends, strict=True)
    ]


def _ends_a_sentence(prefix: str) -> bool:
    for match in _PUNCTUATION_BEFORE_SPACE.finditer(prefix):
        word, punctuation = match.groups()
        is_initial = len(word) == 1 and word.isalpha()
        if punctuation == "." and (is_initial or word.lower() in _ABBREVIATIONS):
            continue
        return True
    return False
