"""A session's stored turns read once per content, not once per reader.

Why a cache, and why this key: the pipeline analyses each client of a session in a run of
its own (AnalyzeClient, in the ASL file's Map), and every run reads the same turns and turn
labels. Handing them down the state machine would put client text into the execution's state
and history (against its 256 KB limit) and change the ASL file. So each process keeps the
turns of its last few sessions, keyed by organization, session and a SHA-256 of the stored
rows that PostgreSQL computes at every read, in the reader's organization-scoped transaction.
While that hash is unchanged a reader gets the turns from memory: the local runtime runs a
whole Map in one process, and in AWS a warm Lambda environment serves several clients of a
session. Any write to the turns (alias merging, labels, a client's erasure, a redrive)
changes the hash, so a changed transcript is never served; another organization never sees
the session's row (row-level security), and its organization is part of the key anyway.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.domain.results import TurnLabel
from coaching.domain.transcript import Transcript, Turn

# Enough for the sessions a process works on at once (one per pipeline worker), with room.
CACHED_SESSIONS = 16

# Every column of every turn (row-to-text), in order, and the session's format.
_FINGERPRINT = sql.SQL(
    "encode(sha256(convert_to(coalesce(s.format, '') || E'\\n' ||"
    " coalesce(string_agg(t::text, E'\\n' ORDER BY t.turn_index), ''), 'UTF8')), 'hex')"
)
_FROM_SESSION = sql.SQL(
    " FROM sessions s LEFT JOIN session_turns t"
    " ON t.organization_id = s.organization_id AND t.session_id = s.id"
    " WHERE s.organization_id = %s AND s.id = %s GROUP BY s.id, s.format"
)
_HASH = sql.SQL("SELECT {fingerprint} AS sha256").format(fingerprint=_FINGERPRINT) + _FROM_SESSION
# One statement, so the rows and their hash come from the same snapshot.
_ROWS = (
    sql.SQL(
        "SELECT {fingerprint} AS sha256, s.format, coalesce(json_agg(json_build_array("
        "t.turn_index, t.speaker, t.start_seconds, t.end_seconds, t.text, t.talk_type,"
        " t.behaviour, t.sensitive_categories) ORDER BY t.turn_index)"
        " FILTER (WHERE t.turn_index IS NOT NULL), '[]') AS turns"
    ).format(fingerprint=_FINGERPRINT)
    + _FROM_SESSION
)

Key = tuple[uuid.UUID, uuid.UUID, str]


@dataclass(frozen=True)
class SessionTurns:
    """One read of a session's turns. Readers share its turns and labels, which are frozen
    values (copying each per reader costs what validating them from rows does), in lists of
    their own: nothing a reader does changes what the next one reads."""

    format: str
    turns: tuple[Turn, ...]
    labels: tuple[TurnLabel, ...]
    sensitive: tuple[tuple[int, tuple[str, ...]], ...]

    def transcript(self) -> Transcript:
        return Transcript(format=self.format, turns=list(self.turns))

    def annotations(self) -> tuple[list[TurnLabel], dict[int, list[str]]]:
        return list(self.labels), {index: list(categories) for index, categories in self.sensitive}

    @classmethod
    def from_rows(cls, session_format: str | None, rows: list[list[Any]]) -> SessionTurns:
        return cls(
            format=session_format or "unknown",
            turns=tuple(
                Turn(index=r[0], speaker=r[1], start=r[2], end=r[3], text=r[4]) for r in rows
            ),
            labels=tuple(TurnLabel(index=r[0], talk_type=r[5], behaviour=r[6]) for r in rows),
            sensitive=tuple((r[0], tuple(r[7])) for r in rows if r[7]),
        )


class TurnsCache:
    """Bounded, least recently used first out; one load per key even when readers race."""

    def __init__(self, max_sessions: int = CACHED_SESSIONS) -> None:
        self._max = max_sessions
        self._entries: OrderedDict[Key, SessionTurns] = OrderedDict()
        self._loading: dict[Key, threading.Lock] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.loads = 0

    def _cached(self, key: Key) -> SessionTurns | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return entry

    def _keep(self, key: Key, entry: SessionTurns) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def get_or_load(self, key: Key, load: Callable[[], tuple[str, SessionTurns]]) -> SessionTurns:
        """`load` answers the turns with their own hash: kept under that one, which differs
        from `key`'s only if they changed since; then the newer turns are answered."""
        entry = self._cached(key)
        if entry is not None:
            return entry
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            try:
                entry = self._cached(key)
                if entry is not None:
                    return entry
                sha256, entry = load()
                if sha256:
                    self._keep((key[0], key[1], sha256), entry)
                with self._lock:
                    self.loads += 1
                return entry
            finally:
                with self._lock:
                    self._loading.pop(key, None)


class CachedSessionTurns:
    """Reads a session's turns and labels through a per-process TurnsCache."""

    def __init__(self, database: Database, cache: TurnsCache | None = None) -> None:
        self._db = database
        self.cache = cache or TurnsCache()

    def read(self, org: uuid.UUID, session_id: uuid.UUID) -> SessionTurns | None:
        """None when the organization has no such session."""
        with self._db.transaction(org) as conn:
            row = conn.execute(_HASH, (org, session_id)).fetchone()
        if row is None:
            return None
        return self.cache.get_or_load(
            (org, session_id, row["sha256"]), lambda: self._load(org, session_id)
        )

    def _load(self, org: uuid.UUID, session_id: uuid.UUID) -> tuple[str, SessionTurns]:
        with self._db.transaction(org) as conn:
            row = conn.execute(_ROWS, (org, session_id)).fetchone()
        if row is None:  # deleted since its hash was read: answered empty, not kept
            return "", SessionTurns.from_rows(None, [])
        return row["sha256"], SessionTurns.from_rows(row["format"], row["turns"])
