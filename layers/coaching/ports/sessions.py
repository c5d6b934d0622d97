"""Coaching sessions: the row each transcript gets, its status, and its deletion."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from coaching.domain.session import SessionFilter, SessionPosition, SessionRecord


class Sessions(Protocol):
    """Every method takes the organization: nothing is read or written outside it."""

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

    def update_session(self, org: uuid.UUID, session_id: uuid.UUID, **fields: Any) -> None:
        """Sets the named fields; ValueError for a field that is not updatable."""
        ...

    def supervision_history(
        self, org: uuid.UUID, limit: int = 100, *, coach_ids: frozenset[uuid.UUID] | None = None
    ) -> list[dict[str, Any]]:
        """The supervision metrics of the latest ``limit`` completed sessions, oldest first.
        ``coach_ids`` as in SessionFilter: None = every session of the organization."""
        ...

    def sessions_received_before(self, org: uuid.UUID, cutoff: dt.datetime) -> list[SessionRecord]:
        """Sessions received before ``cutoff`` that no run is writing to, oldest first."""
        ...

    def clients_of_session(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        """The client records the session's participants and results are linked to."""
        ...

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        """Removes the session and everything stored about it (turns, participants, results,
        summaries, follow-ups, index entries, step records, notifications, execution records,
        pending clients only it created); rows removed per table. Raises NotFound if it is not
        there, Conflict while a run may still write to it. Object storage is not touched."""
        ...
