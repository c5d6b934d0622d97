"""Stems taken from many threads at once are the stems one thread takes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from coaching.analysis import stemming

pytestmark = pytest.mark.unit

WORDS = [
    f"{root}{ending}"
    for root in ("delegat", "organis", "commit", "generaliz", "hopeful", "run", "connect")
    for ending in ("e", "ing", "ed", "ion", "ions", "ness", "ational", "fulness", "ively")
]


def test_threads_stemming_at_once_get_what_one_thread_gets(monkeypatch):
    # Given the stems one thread takes, and nothing kept (every word goes to a stemmer)
    expected = [stemming.stem.__wrapped__(word) for word in WORDS]
    monkeypatch.setattr(stemming, "stem", stemming.stem.__wrapped__)

    # When eight threads stem the words over and over at the same time
    def stem_all(_: int) -> list[str]:
        return [stemming.stem(word) for _ in range(40) for word in WORDS][-len(WORDS) :]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(stem_all, range(16)))
    # Then every thread got the same stems, none garbled
    assert all(result == expected for result in results)
