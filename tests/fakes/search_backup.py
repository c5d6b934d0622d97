"""The passage store as a backup sees it, in memory: stored passages per organization, and
which sessions and clients still exist (and when each session last changed)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from coaching.ports.search_backup import IndexedPassage, Standing


@dataclass
class FakePassageBackupStore:
    passages_by_org: dict[uuid.UUID, dict[uuid.UUID, IndexedPassage]] = field(default_factory=dict)
    sessions: dict[uuid.UUID, dt.datetime] = field(default_factory=dict)  # id -> updated at
    clients: set[uuid.UUID] = field(default_factory=set)
    orgs: set[uuid.UUID] = field(default_factory=set)

    def add(self, *passages: IndexedPassage) -> None:
        for indexed in passages:
            p = indexed.passage
            self.passages_by_org.setdefault(p.organization_id, {})[p.id] = indexed
            self.orgs.add(p.organization_id)
            self.sessions.setdefault(p.session_id, indexed.indexed_at)
            if p.client_id is not None:
                self.clients.add(p.client_id)

    def organizations(self) -> list[uuid.UUID]:
        return sorted(self.orgs)

    def count(self, org: uuid.UUID) -> int:
        return len(self.passages_by_org.get(org, {}))

    def passages(self, org: uuid.UUID, *, size: int) -> Iterator[list[IndexedPassage]]:
        ordered = sorted(self.passages_by_org.get(org, {}).values(), key=lambda p: p.passage.id)
        for start in range(0, len(ordered), size):
            yield ordered[start : start + size]

    def upsert(self, org: uuid.UUID, passages: Sequence[IndexedPassage]) -> None:
        assert all(p.passage.organization_id == org for p in passages)
        for indexed in passages:
            self.passages_by_org.setdefault(org, {})[indexed.passage.id] = indexed

    def standing(
        self,
        org: uuid.UUID,
        session_ids: Sequence[uuid.UUID],
        client_ids: Sequence[uuid.UUID],
        since: dt.datetime,
    ) -> Standing:
        indexed_since = {
            p.passage.session_id
            for p in self.passages_by_org.get(org, {}).values()
            if p.indexed_at > since
        }
        return Standing(
            sessions_gone=frozenset(s for s in session_ids if s not in self.sessions),
            sessions_changed=frozenset(
                s
                for s in session_ids
                if s in self.sessions and (self.sessions[s] > since or s in indexed_since)
            ),
            clients_gone=frozenset(c for c in client_ids if c not in self.clients),
        )
