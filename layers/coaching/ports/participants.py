"""Who spoke in a session, how, and which client record each client speaker is."""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.clients import SpeakerClient
from coaching.domain.results import SpeakerStats


class Participants(Protocol):
    def resolve_clients(
        self, org: uuid.UUID, session_id: uuid.UUID, names: list[str]
    ) -> dict[str, uuid.UUID]:
        """Each speaker's client record; people not on record yet become pending clients
        (created by this session)."""
        ...

    def save_speakers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        speakers: list[SpeakerStats],
        client_ids: dict[str, uuid.UUID] | None = None,
    ) -> None:
        """Replaces the session's speakers, in order, each linked to its client record."""
        ...

    def load_speakers(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SpeakerStats]: ...

    def speaker_clients(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, SpeakerClient]:
        """The client record each linked speaker of the session is, by speaker name."""
        ...
