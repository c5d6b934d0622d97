"""Speech clean-up: drop disfluency markers and fillers, rejoin split contractions."""

from __future__ import annotations

import re

_MARKER = re.compile(r"\{[a-z_ ]+\}|\[[a-z_ ]+\]|<[a-z_ ]+>", re.IGNORECASE)
_FILLER = re.compile(
    r"(?<![\w'-])(?:um+|uh+|uhm|erm?|hmm+|mm+-?hmm|mm+|uh-huh|ah+|eh|huh)(?![\w'-])\s*[,.]?",
    re.IGNORECASE,
)
_SPLIT_CONTRACTION = re.compile(r"\s+('(?:s|re|ve|ll|d|m|t)\b|n't\b)", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.?!;:])")
_REPEAT = re.compile(r"\b(\w+(?:'\w+)?)(?:[\s,]+\1\b)+", re.IGNORECASE)
_PUNCT_RUN = re.compile(r"([,.?!])(?:\s*[,.])+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*", re.IGNORECASE)


def clean(text: str) -> str:
    text = _MARKER.sub(" ", text)
    text = _FILLER.sub(" ", text)
    text = _SPLIT_CONTRACTION.sub(r"\1", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _REPEAT.sub(r"\1", text)
    text = _PUNCT_RUN.sub(r"\1", text)
    text = re.sub(r"\s+", " ", text).strip(" ,")
    return text


def sentences(text: str) -> list[str]:
    return [piece for piece in _SENTENCE.split(text) if piece.strip()]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)
