"""The in-memory stand-in for the database the fakes share, as the PostgreSQL adapters share
one: a session deleted through Sessions is gone for Transcripts too.

Tables are dicts keyed by organization first, so nothing is found outside its organization
(row-level security's rule). Contract tests read and seed it through tests/contracts/backends.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from coaching.domain.accounts import RefreshTokenRecord, UserAccount
from coaching.domain.results import ClientAnalysis, SpeakerStats
from coaching.domain.search import Passage
from coaching.domain.session import SessionRecord
from coaching.domain.transcript import Turn

Key = tuple[uuid.UUID, uuid.UUID]  # (organization, session)


@dataclass
class Annotation:
    talk_type: str | None = None
    behaviour: str | None = None
    sensitive: list[str] = field(default_factory=list)


@dataclass
class Participant:
    stats: SpeakerStats
    client_id: uuid.UUID | None


@dataclass
class Client:
    name: str
    status: str  # "pending": made from a speaker not on record
    created_by_session: uuid.UUID | None
    tags: tuple[str, ...] = ()


@dataclass
class StoredPassage:
    """A row of search_passages: the passage, and its vector with the model that made it."""

    passage: Passage
    vector: list[float] | None
    model: str | None


@dataclass
class FollowUp:
    """Written by the review features; here only because it holds on to a client."""

    session_id: uuid.UUID
    client_id: uuid.UUID
    status: str = "draft"


@dataclass
class MemoryData:
    organizations: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    coaches: dict[uuid.UUID, dict[uuid.UUID, str]] = field(default_factory=dict)  # id -> email
    sessions: dict[Key, SessionRecord] = field(default_factory=dict)
    turns: dict[Key, list[Turn]] = field(default_factory=dict)
    annotations: dict[Key, dict[int, Annotation]] = field(default_factory=dict)
    participants: dict[Key, list[Participant]] = field(default_factory=dict)
    clients: dict[uuid.UUID, dict[uuid.UUID, Client]] = field(default_factory=dict)
    analyses: dict[Key, dict[uuid.UUID, ClientAnalysis]] = field(default_factory=dict)
    follow_ups: dict[uuid.UUID, list[FollowUp]] = field(default_factory=dict)
    search_passages: dict[Key, dict[uuid.UUID, StoredPassage]] = field(default_factory=dict)
    step_runs: dict[Key, dict[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    notifications: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    running: set[Key] = field(default_factory=set)  # sessions a run is writing to
    coach_leads: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # coach -> lead
    users: dict[uuid.UUID, UserAccount] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshTokenRecord] = field(default_factory=dict)  # by hash
    _last_now: dt.datetime = dt.datetime.min.replace(tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        """The time, never the same twice (as two transactions' now() in PostgreSQL)."""
        now = max(dt.datetime.now(dt.UTC), self._last_now + dt.timedelta(microseconds=1))
        self._last_now = now
        return now

    def clients_of(self, org: uuid.UUID) -> dict[uuid.UUID, Client]:
        return self.clients.setdefault(org, {})

    def referenced_clients(self, org: uuid.UUID) -> set[uuid.UUID]:
        """Clients something still refers to: a participant, an analysis, a follow-up."""
        participants = {
            p.client_id for (o, _), ps in self.participants.items() if o == org for p in ps
        }
        analysed = {c for (o, _), cs in self.analyses.items() if o == org for c in cs}
        followed = {f.client_id for f in self.follow_ups.get(org, [])}
        return participants | analysed | followed

    def delete_orphaned_pending_clients(self, org: uuid.UUID, session_id: uuid.UUID) -> int:
        """adapters/postgres/pending_clients.py's rule, on this data."""
        kept = self.referenced_clients(org)
        clients = self.clients_of(org)
        orphans = [
            client_id
            for client_id, client in clients.items()
            if client.status == "pending"
            and client.created_by_session == session_id
            and client_id not in kept
        ]
        for client_id in orphans:
            del clients[client_id]
        return len(orphans)
