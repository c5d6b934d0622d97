"""Text rules the coach's voice is read and written with: sentences of the prose, the
client's first name as a placeholder, contractions both ways (informal "I'm", formal "I am")."""

from __future__ import annotations

import re

from coaching.domain.voice import Formality

FIRST_NAME = "{client_first_name}"  # where the client's first name was, in a learned phrase
ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")  # a list item: the summary's words, not prose
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# Contractions, both ways: an informal coach writes "I'm", a formal one "I am".
CONTRACTIONS = {
    "I am": "I'm",
    "I will": "I'll",
    "I would": "I'd",
    "I have": "I've",
    "you are": "you're",
    "you will": "you'll",
    "you have": "you've",
    "we are": "we're",
    "we will": "we'll",
    "it is": "it's",
    "that is": "that's",
    "let us": "let's",
    "do not": "don't",
    "does not": "doesn't",
    "did not": "didn't",
    "is not": "isn't",
    "are not": "aren't",
    "cannot": "can't",
    "will not": "won't",
}
CONTRACTED = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in CONTRACTIONS.values()) + r")(?!\w)", re.IGNORECASE
)


def in_formality(line: str, formality: Formality | None) -> str:
    if formality == "informal":
        line = _SPELT_OUT.sub(_contracted, line)
    elif formality == "formal":
        line = CONTRACTED.sub(_spelt_out, line)
    return line


_SPELT = {short.casefold(): long for long, short in CONTRACTIONS.items()}
_SHORT = {long.casefold(): short for long, short in CONTRACTIONS.items()}
_SPELT_OUT = re.compile(
    r"\b(?:" + "|".join(re.escape(long) for long in CONTRACTIONS) + r")\b", re.IGNORECASE
)


def _contracted(match: re.Match[str]) -> str:
    return _cased(match.group(0), _SHORT[match.group(0).casefold()])


# "Isn't it?" does not spell out ("is not it?"): a negation before a pronoun stays.
_QUESTION_TAG = re.compile(r"\s+(?:it|you|we|they|he|she|I)\b")


def _spelt_out(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.casefold().endswith("n't") and _QUESTION_TAG.match(match.string, match.end()):
        return word
    return _cased(word, _SPELT[word.casefold()])


def _cased(original: str, replacement: str) -> str:
    """The replacement with the original's leading capital ("It is" → "It's", "I" stays)."""
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    if original[:1].islower() and replacement[:1].isupper() and replacement[:2] != "I'":
        return replacement[:1].lower() + replacement[1:]
    return replacement


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def placeholder(sentence: str, first_name: str) -> str:
    if not first_name:
        return sentence
    return re.sub(rf"(?<!\w){re.escape(first_name)}(?!\w)", FIRST_NAME, sentence)


def key(sentence: str, first_name: str) -> str:
    """A sentence compared without case, spacing, contractions (formality is learned on its
    own) or the client's name."""
    spelt = in_formality(placeholder(sentence, first_name), "formal")
    return " ".join(spelt.casefold().split())


def words(text: str) -> int:
    return len(text.split())
