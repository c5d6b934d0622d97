"""Participants in memory, and the pending clients they create."""

from __future__ import annotations

import uuid

from coaching.domain.clients import SpeakerClient
from coaching.domain.names import name_key
from coaching.domain.results import SpeakerStats
from tests.fakes.memory import Client, MemoryData, Participant


class FakeParticipants:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def add_client(self, org: uuid.UUID, name: str, status: str = "active") -> uuid.UUID:
        """Seeds a client on record (the clients features add them in the real system)."""
        client_id = uuid.uuid4()
        self.data.clients_of(org)[client_id] = Client(name, status, None)
        return client_id

    def resolve_clients(
        self, org: uuid.UUID, session_id: uuid.UUID, names: list[str]
    ) -> dict[str, uuid.UUID]:
        clients = self.data.clients_of(org)
        by_key = {name_key(c.name): cid for cid, c in clients.items()}
        by_first: dict[str, list[uuid.UUID]] = {}
        for cid, client in clients.items():
            by_first.setdefault(name_key(client.name).split(" ")[0], []).append(cid)
        resolved: dict[str, uuid.UUID] = {}
        for name in names:
            key = name_key(name)
            match = by_key.get(key)
            if match is None and " " not in key and len(by_first.get(key, [])) == 1:
                match = by_first[key][0]
            if match is None:
                match = uuid.uuid4()
                clients[match] = Client(name, "pending", session_id)
                by_key[key] = match
            resolved[name] = match
        return resolved

    def save_speakers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        speakers: list[SpeakerStats],
        client_ids: dict[str, uuid.UUID] | None = None,
    ) -> None:
        client_ids = client_ids or {}
        self.data.participants[(org, session_id)] = [
            Participant(s.model_copy(deep=True), client_ids.get(s.name)) for s in speakers
        ]

    def load_speakers(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SpeakerStats]:
        return [
            p.stats.model_copy(deep=True) for p in self.data.participants.get((org, session_id), [])
        ]

    def speaker_clients(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, SpeakerClient]:
        clients = self.data.clients_of(org)
        return {
            p.stats.name: SpeakerClient(
                p.client_id, clients[p.client_id].name, clients[p.client_id].tags
            )
            for p in self.data.participants.get((org, session_id), [])
            if p.client_id is not None and p.client_id in clients
        }
