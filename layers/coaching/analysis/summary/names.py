"""How a speaker label reads inside a sentence: roles lower-cased, titles and ridings dropped."""

from __future__ import annotations

import re

_PAREN = re.compile(r"\([^()]*(?:\([^()]*\)[^()]*)*\)")
_HONORIFIC = re.compile(r"^(?:the\s+)?(?:right\s+)?(?:hon\.?\s+|honourable\s+)+", re.IGNORECASE)
_LETTERED = re.compile(r"^([A-Za-z]+) ([A-Z])$")
ROLE_WORDS = frozenset(
    "coach facilitator chair chairperson moderator host manager lead leader professor postdoc "
    "grad student phd marketing designer interface engineer mentor supervisor client "
    "coachee participant interviewer member director minister".split()
)


def is_role(label: str) -> bool:
    words = re.findall(r"[a-z]+", label.lower())
    return bool(words) and any(word in ROLE_WORDS for word in words)


def display_names(speakers: list[str]) -> dict[str, str]:
    """A readable name for each label; a lettered role unique in its kind loses the letter."""
    bases: dict[str, int] = {}
    for speaker in speakers:
        match = _LETTERED.match(speaker.strip())
        if match:
            bases[match.group(1)] = bases.get(match.group(1), 0) + 1
    names = {}
    for speaker in speakers:
        name = _PAREN.sub("", speaker)
        name = _HONORIFIC.sub("", name).strip(" ,") or speaker.strip()
        match = _LETTERED.match(name)
        if match and bases.get(match.group(1)) == 1 and match.group(1).lower() in ROLE_WORDS:
            name = "the " + match.group(1).lower()
        names[speaker] = re.sub(r"\s+", " ", name)
    return names


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
