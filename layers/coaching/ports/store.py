from __future__ import annotations

import uuid
from typing import Any, Protocol

from coaching.domain.results import ClientAnalysis, SpeakerStats, TurnLabel
from coaching.domain.session import SessionRecord
from coaching.domain.transcript import Transcript


class SessionStore(Protocol):
    """Coaching data (Aurora PostgreSQL in AWS, embedded PostgreSQL locally).

    Every method takes the organization: nothing is read or written outside it.
    """

    def ensure_organization(self, org: uuid.UUID, name: str) -> None: ...

    def create_session(self, org: uuid.UUID, session: SessionRecord) -> None:
        """Inserts the row once (again with the same id: nothing happens).

        Raises DuplicateContent when a live session of the organization has the same content.
        """
        ...

    def get_session(self, org: uuid.UUID, session_id: uuid.UUID) -> SessionRecord | None: ...

    def find_failed_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        """The latest failed session of this content: sending the file again retries it."""
        ...

    def find_live_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        """The session, running or completed (not failed), that holds this content."""
        ...

    def list_sessions(self, org: uuid.UUID, limit: int = 50) -> list[SessionRecord]: ...

    def count_sessions(self, org: uuid.UUID) -> int: ...

    def supervision_history(self, org: uuid.UUID, limit: int = 100) -> list[dict[str, Any]]: ...

    def update_session(self, org: uuid.UUID, session_id: uuid.UUID, **fields: Any) -> None: ...

    def save_transcript(
        self, org: uuid.UUID, session_id: uuid.UUID, transcript: Transcript
    ) -> None: ...

    def load_transcript(self, org: uuid.UUID, session_id: uuid.UUID) -> Transcript: ...

    def save_turn_annotations(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        labels: list[TurnLabel],
        sensitive: dict[int, list[str]],
    ) -> None: ...

    def load_turn_annotations(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[list[TurnLabel], dict[int, list[str]]]: ...

    def resolve_clients(
        self, org: uuid.UUID, session_id: uuid.UUID, names: list[str]
    ) -> dict[str, uuid.UUID]:
        """Each speaker's client record; people not on record yet become pending clients."""
        ...

    def save_speakers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        speakers: list[SpeakerStats],
        client_ids: dict[str, uuid.UUID] | None = None,
    ) -> None: ...

    def load_speakers(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SpeakerStats]: ...

    def save_client_analysis(
        self, org: uuid.UUID, session_id: uuid.UUID, client_name: str, analysis: ClientAnalysis
    ) -> None: ...

    def load_client_analyses(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> dict[str, ClientAnalysis]: ...

    def index_session(self, org: uuid.UUID, session_id: uuid.UUID) -> int: ...

    def completed_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str = ""
    ) -> dict[str, Any] | None:
        """The recorded output of a step that already finished for this session, if any."""
        ...

    def record_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str, output: dict[str, Any]
    ) -> None: ...

    def forget_steps(self, org: uuid.UUID, session_id: uuid.UUID, steps: list[str]) -> int: ...

    def record_notification(
        self, org: uuid.UUID, session_id: uuid.UUID, kind: str, recipient: str, message_id: str
    ) -> None: ...

    def discard_results(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        """Compensation: removes everything the pipeline derived; keeps the session row."""
        ...
