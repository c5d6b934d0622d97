"""Sessions in memory."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from coaching.domain.errors import DuplicateContent, NotFound
from coaching.domain.session import (
    ACTIVE_STATUSES,
    SessionBusy,
    SessionFilter,
    SessionPosition,
    SessionRecord,
)
from tests.fakes.memory import MemoryData

_UPDATABLE = set(SessionRecord.model_fields) - {
    "id",
    "organization_id",
    "coach_id",
    "source_name",
    "transcript_key",
    "content_sha256",
    "created_at",
    "updated_at",
}
# What the adapter's INSERT writes; the rest starts empty, as the columns' defaults.
_INSERTED = {
    "id",
    "organization_id",
    "coach_id",
    "source_name",
    "transcript_key",
    "content_sha256",
    "session_type",
    "session_date",
    "coach_name",
    "processing_status",
    "execution_name",
}


def _day(session: SessionRecord) -> dt.date:
    return session.session_date or session.created_at.date()


def _visible(session: SessionRecord, coach_ids: frozenset[uuid.UUID] | None) -> bool:
    return coach_ids is None or session.coach_id in coach_ids


class FakeSessions:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def _of(self, org: uuid.UUID) -> list[SessionRecord]:
        return [s for (o, _), s in self.data.sessions.items() if o == org]

    def create_session(self, org: uuid.UUID, session: SessionRecord) -> None:
        if (org, session.id) in self.data.sessions:
            return
        live = self.find_live_by_hash(org, session.content_sha256)
        if live is not None:
            raise DuplicateContent(live.id)
        now = self.data.now()
        inserted = session.model_dump(include=_INSERTED)
        self.data.sessions[(org, session.id)] = SessionRecord(
            **inserted | {"organization_id": org, "created_at": now, "updated_at": now}
        )

    def get_session(self, org: uuid.UUID, session_id: uuid.UUID) -> SessionRecord | None:
        session = self.data.sessions.get((org, session_id))
        return session.model_copy(deep=True) if session else None

    def find_failed_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        failed = [
            s
            for s in self._of(org)
            if s.content_sha256 == sha256 and s.processing_status == "failed"
        ]
        return max(failed, key=lambda s: s.created_at, default=None)

    def find_live_by_hash(self, org: uuid.UUID, sha256: str) -> SessionRecord | None:
        live = [
            s
            for s in self._of(org)
            if s.content_sha256 == sha256 and s.processing_status != "failed"
        ]
        return min(live, key=lambda s: s.created_at, default=None)

    def list_sessions(
        self,
        org: uuid.UUID,
        limit: int = 50,
        *,
        where: SessionFilter | None = None,
        after: SessionPosition | None = None,
    ) -> list[SessionRecord]:
        where = where or SessionFilter()
        found = [
            s
            for s in self._of(org)
            if _visible(s, where.coach_ids)
            and (where.date_from is None or _day(s) >= where.date_from)
            and (where.date_to is None or _day(s) <= where.date_to)
            and (where.status is None or s.processing_status == where.status)
            and (where.session_type is None or s.session_type == where.session_type)
            and (after is None or (s.created_at, s.id) < (after.created_at, after.id))
        ]
        found.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return [s.model_copy(deep=True) for s in found[:limit]]

    def count_sessions(self, org: uuid.UUID) -> int:
        return len(self._of(org))

    def update_session(self, org: uuid.UUID, session_id: uuid.UUID, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        session = self.data.sessions.get((org, session_id))
        if session is None or not fields:
            return
        changed = session.model_dump() | fields | {"updated_at": self.data.now()}
        self.data.sessions[(org, session_id)] = SessionRecord.model_validate(changed)

    def supervision_history(
        self, org: uuid.UUID, limit: int = 100, *, coach_ids: frozenset[uuid.UUID] | None = None
    ) -> list[dict[str, Any]]:
        done = [
            s
            for s in self._of(org)
            if _visible(s, coach_ids)
            and s.processing_status == "completed"
            and s.supervision is not None
        ]
        done.sort(key=lambda s: (_day(s), s.created_at), reverse=True)
        recent = sorted(done[:limit], key=lambda s: (_day(s), s.created_at))
        fields = {"id", "source_name", "session_date", "created_at", "coach_name", "supervision"}
        return [s.model_dump(include=fields) for s in recent]

    def sessions_received_before(self, org: uuid.UUID, cutoff: dt.datetime) -> list[SessionRecord]:
        due = [
            s
            for s in self._of(org)
            if s.created_at < cutoff and s.processing_status not in ACTIVE_STATUSES
        ]
        return sorted(due, key=lambda s: (s.created_at, s.id))

    def clients_of_session(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        key = (org, session_id)
        linked = {p.client_id for p in self.data.participants.get(key, []) if p.client_id}
        return sorted(linked | set(self.data.analyses.get(key, {})))

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        key = (org, session_id)
        session = self.data.sessions.get(key)
        if session is None:
            raise NotFound(f"Session {session_id} does not exist.")
        if session.processing_status in ACTIVE_STATUSES or key in self.data.running:
            raise SessionBusy(session_id)
        data = self.data
        follow_ups = data.follow_ups.get(org, [])
        analyses = data.analyses.pop(key, {})
        removed = {
            "search_passages": len(data.search_passages.pop(key, {})),
            "notifications": len(data.notifications.pop(key, [])),
            "follow_ups": sum(1 for f in follow_ups if f.session_id == session_id),
            "summaries": len(analyses),
            "client_sessions": len(analyses),
            "session_participants": len(data.participants.pop(key, [])),
            "session_turns": len(data.turns.pop(key, [])),
            "step_runs": len(data.step_runs.pop(key, {})),
            "executions": 0,  # the local runtime's run records are not faked
            "sessions": 1,
        }
        data.follow_ups[org] = [f for f in follow_ups if f.session_id != session_id]
        data.annotations.pop(key, None)
        del data.sessions[key]
        removed["clients"] = data.delete_orphaned_pending_clients(org, session_id)
        return removed
