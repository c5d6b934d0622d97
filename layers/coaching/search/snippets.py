"""A result's snippet: the sentence that best matches the question, with its terms marked.

Terms match by their Snowball stem, so "delegating" is marked for a question about
"delegation". Highlights are [start, end) character offsets into the snippet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from coaching.analysis.stemming import stem as english_stem

SNIPPET_CHARS = 240
_WORD = re.compile(r"[\w'’]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Words a question carries that say nothing about the topic: never highlighted.
_QUESTION_WORDS = frozenset(
    "a an and are as at be by did do does for from had has have how i in is it me my of on or"
    " our say said show that the their them they this to was we were what when where which"
    " who whom why with you your about".split()
)


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]]


def stem(word: str) -> str:
    return english_stem(word.lower().replace("’", "'").removesuffix("'s"))


def query_stems(query: str) -> frozenset[str]:
    """The stems of the question's content words."""
    return frozenset(
        stem(word) for word in _WORD.findall(query) if word.lower() not in _QUESTION_WORDS
    )


def make_snippet(text: str, stems: Iterable[str], size: int = SNIPPET_CHARS) -> Snippet:
    """About ``size`` characters of ``text`` around its sentence with the most query terms
    (the text's start when none matches), cut at word boundaries, with every term marked."""
    wanted = frozenset(stems)
    start, end = _best_window(text, wanted, size)
    window = text[start:end].strip()
    lead = text[start:end].find(window)
    prefix = "…" if start + lead > 0 else ""
    suffix = "…" if start + lead + len(window) < len(text) else ""
    body = prefix + window + suffix
    highlights = [
        (match.start(), match.end())
        for match in _WORD.finditer(body)
        if stem(match.group()) in wanted and match.group().lower() not in _QUESTION_WORDS
    ]
    return Snippet(body, highlights)


def _best_window(text: str, wanted: frozenset[str], size: int) -> tuple[int, int]:
    if len(text) <= size:
        return 0, len(text)
    sentences = _sentence_spans(text)
    best = max(
        sentences,
        key=lambda span: (
            sum(stem(word) in wanted for word in _WORD.findall(text[span[0] : span[1]])),
            -span[0],
        ),
    )
    first, last = best
    if last - first >= size:  # a long sentence: centre on its first term
        centre = _first_term(text, first, last, wanted)
        first = max(first, centre - size // 3)
        last = first + size
    else:  # room to spare: the sentences around it, the following ones first
        last = min(len(text), first + size)
    return _word_edge(text, first, forward=True), _word_edge(text, last, forward=False)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _first_term(text: str, first: int, last: int, wanted: frozenset[str]) -> int:
    for match in _WORD.finditer(text, first, last):
        if stem(match.group()) in wanted:
            return match.start()
    return first


def _word_edge(text: str, position: int, *, forward: bool) -> int:
    """``position`` moved off the middle of a word: to the next word's start (forward) or
    back to the previous word's end."""
    if position <= 0 or position >= len(text):
        return max(0, min(position, len(text)))
    if forward:
        while position < len(text) and text[position - 1].isalnum() and text[position].isalnum():
            position += 1
        return position
    while position > 0 and text[position - 1].isalnum() and text[position].isalnum():
        position -= 1
    return position
