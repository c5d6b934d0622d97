"""The shipped word lists: background English frequencies and stop words (summary_data/)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "summary_data"

# Zipf value (log10 of frequency per billion words) given to a word the table does not hold:
# rarer than its last entry, so unknown words count as specific.
UNKNOWN_ZIPF = 2.5


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    table: dict[str, float] = {}
    for line in (DATA / "english_zipf.tsv").read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition("\t")
        if word and value:
            table[word] = float(value)
    return table


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    words: set[str] = set()
    for line in (DATA / "stopwords.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(line.split())
    return frozenset(words)


def known_words() -> dict[str, float]:
    return zipf_table()


def zipf(word: str) -> float:
    return zipf_table().get(word, UNKNOWN_ZIPF)
