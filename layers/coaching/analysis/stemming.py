"""English Snowball stems, safe to take from several threads at once.

A snowballstemmer stemmer keeps the word it is stemming on itself, so two threads sharing
one garble each other's (an IndexError, or a wrong stem). Each thread gets its own: the
saga's Map analyses a session's clients in parallel, and the server searches on many
threads. Stems are kept, since words repeat and the stemmer is pure Python (~50 us a word).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

STEMS_KEPT = 50_000
_per_thread = threading.local()


def _stemmer() -> Any:
    stemmer = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        import snowballstemmer  # type: ignore[import-untyped]  # noqa: PLC0415 - loaded when first needed

        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=STEMS_KEPT)
def stem(word: str) -> str:
    """The Snowball stem of one word as written (no lower-casing here)."""
    return str(_stemmer().stemWord(word))
