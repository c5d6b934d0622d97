from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from coaching.domain.results import ClientAnalysis, SpeakerStats, TurnLabel
from coaching.domain.session import SessionFilter, SessionPosition, SessionRecord
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

    def list_sessions(
        self,
        org: uuid.UUID,
        limit: int = 50,
        *,
        where: SessionFilter | None = None,
        after: SessionPosition | None = None,
    ) -> list[SessionRecord]:
        """Newest first (created_at, then id), the page after ``after``."""
        ...

    def count_sessions(self, org: uuid.UUID) -> int: ...

    def supervision_history(
        self, org: uuid.UUID, limit: int = 100, *, coach_ids: frozenset[uuid.UUID] | None = None
    ) -> list[dict[str, Any]]:
        """``coach_ids`` as in SessionFilter: None = every session of the organization."""
        ...

    def coach_id_by_email(self, org: uuid.UUID, email: str) -> uuid.UUID | None:
        """The organization's coach with this email (case-insensitive), if there is one."""
        ...

    def coach_exists(self, org: uuid.UUID, coach_id: uuid.UUID) -> bool: ...

    def coach_email(self, org: uuid.UUID, coach_id: uuid.UUID) -> str | None:
        """Where the organization's coach ``coach_id`` is told about their sessions."""
        ...

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        """Removes the session and everything stored about it (turns, participants, results,
        summaries, follow-ups, index entries, step records, notifications, execution records,
        pending clients only it created); rows removed per table. Raises NotFound if it is not
        there, Conflict while a run may still write to it. Object storage is not touched."""
        ...

    def clients_of_session(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        """The client records the session's participants and results are linked to."""
        ...

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        """System task, across organizations: each organization that set ``retention_days``."""
        ...

    def sessions_received_before(self, org: uuid.UUID, cutoff: dt.datetime) -> list[SessionRecord]:
        """Sessions received before ``cutoff`` that no run is writing to, oldest first."""
        ...

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
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        kind: str,
        recipient: str | None,
        message_id: str | None,
    ) -> None:
        """A notice about the session; ``recipient`` and ``message_id`` None: none was sent
        (the session has no coach to tell)."""
        ...

    def discard_results(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        """Compensation: removes everything the pipeline derived; keeps the session row."""
        ...
