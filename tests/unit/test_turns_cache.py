"""The per-process cache of a session's turns: bounded, one load per key, keys kept apart."""

from __future__ import annotations

import threading
import uuid

import pytest
from pydantic import ValidationError

from coaching.adapters.postgres.session_turns import SessionTurns, TurnsCache

ORG, OTHER_ORG, SESSION = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def turns(text: str) -> SessionTurns:
    return SessionTurns.from_rows("vtt", [[0, "Ann", 0.0, 1.5, text, "change", None, ["health"]]])


def loader(sha256: str, text: str, calls: list[str]):
    def load() -> tuple[str, SessionTurns]:
        calls.append(sha256)
        return sha256, turns(text)

    return load


def test_the_same_organization_session_and_hash_is_loaded_once():
    cache, calls = TurnsCache(), []
    first = cache.get_or_load((ORG, SESSION, "a"), loader("a", "hello", calls))
    second = cache.get_or_load((ORG, SESSION, "a"), loader("a", "hello", calls))
    assert calls == ["a"] and cache.loads == 1 and cache.hits == 1
    assert second.transcript() == first.transcript()


def test_a_new_hash_or_another_organization_is_never_served_the_cached_turns():
    # Given a session's turns cached under their hash
    cache, calls = TurnsCache(), []
    cache.get_or_load((ORG, SESSION, "a"), loader("a", "before", calls))
    # When the stored turns changed (a new hash), or another organization asks
    changed = cache.get_or_load((ORG, SESSION, "b"), loader("b", "after", calls))
    other = cache.get_or_load((OTHER_ORG, SESSION, "a"), loader("a", "theirs", calls))
    # Then each is loaded, and answered its own turns
    assert calls == ["a", "b", "a"]
    assert changed.transcript().turns[0].text == "after"
    assert other.transcript().turns[0].text == "theirs"


def test_turns_that_changed_while_loading_are_kept_under_their_own_hash():
    cache, calls = TurnsCache(), []
    # Given a hash read as "a", but the rows loaded right after already hash to "b"
    answered = cache.get_or_load((ORG, SESSION, "a"), loader("b", "newer", calls))
    # Then the newer turns are answered, and nothing is kept under "a"
    assert answered.transcript().turns[0].text == "newer"
    cache.get_or_load((ORG, SESSION, "a"), loader("a", "older", calls))
    cache.get_or_load((ORG, SESSION, "b"), loader("b", "newer", calls))
    assert calls == ["b", "a"]


def test_readers_racing_for_one_session_load_it_once():
    cache, calls = TurnsCache(), []
    release = threading.Event()

    def slow_load() -> tuple[str, SessionTurns]:
        calls.append("a")
        release.wait(5)
        return "a", turns("hello")

    readers = [
        threading.Thread(target=cache.get_or_load, args=((ORG, SESSION, "a"), slow_load))
        for _ in range(4)
    ]
    for reader in readers:
        reader.start()
    release.set()
    for reader in readers:
        reader.join(5)
    assert calls == ["a"] and cache.hits == 3


def test_a_failed_load_is_not_kept_and_the_next_reader_loads_again():
    cache, calls = TurnsCache(), []

    def failing() -> tuple[str, SessionTurns]:
        raise ConnectionError("database gone")

    with pytest.raises(ConnectionError):
        cache.get_or_load((ORG, SESSION, "a"), failing)
    cache.get_or_load((ORG, SESSION, "a"), loader("a", "hello", calls))
    assert calls == ["a"]


def test_the_least_recently_used_session_goes_first_when_full():
    cache, calls = TurnsCache(max_sessions=2), []
    sessions = [uuid.uuid4() for _ in range(3)]
    cache.get_or_load((ORG, sessions[0], "a"), loader("a", "0", calls))
    cache.get_or_load((ORG, sessions[1], "a"), loader("a", "1", calls))
    cache.get_or_load((ORG, sessions[0], "a"), loader("a", "0", calls))  # used again
    cache.get_or_load((ORG, sessions[2], "a"), loader("a", "2", calls))  # evicts 1
    cache.get_or_load((ORG, sessions[0], "a"), loader("a", "0", calls))
    cache.get_or_load((ORG, sessions[1], "a"), loader("a", "1", calls))
    assert calls == ["a", "a", "a", "a"]


def test_readers_get_their_own_lists_of_frozen_turns_so_none_changes_what_the_next_reads():
    cache = TurnsCache()
    first = cache.get_or_load((ORG, SESSION, "a"), loader("a", "hello", []))
    transcript = first.transcript()
    with pytest.raises(ValidationError, match="frozen"):
        transcript.turns[0].text = "changed by a reader"
    transcript.turns.clear()
    labels, sensitive = first.annotations()
    with pytest.raises(ValidationError, match="frozen"):
        labels[0].talk_type = "sustain"
    labels.clear()
    sensitive[0].append("changed")
    again = cache.get_or_load((ORG, SESSION, "a"), loader("a", "other", []))
    assert again.transcript().turns[0].text == "hello"
    assert again.annotations()[0][0].talk_type == "change"
    assert again.annotations()[1] == {0: ["health"]}
