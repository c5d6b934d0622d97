"""Sessions as a signed-in user sees them: only those their visibility allows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypedDict, Unpack

from coaching.domain.errors import NotFound
from coaching.domain.identity import Visibility
from coaching.domain.session import (
    ProcessingStatus,
    SessionFilter,
    SessionPosition,
    SessionRecord,
    SessionType,
)
from coaching.usecases.access import ensure_visible
from coaching.usecases.dependencies import Dependencies


class SessionQuery(TypedDict, total=False):
    """A listing's filters, as GET /v1/sessions takes them; left out or None: any."""

    coach_id: uuid.UUID | None
    date_from: dt.date | None
    date_to: dt.date | None
    status: ProcessingStatus | None
    session_type: SessionType | None


def list_visible_sessions(
    deps: Dependencies,
    visibility: Visibility,
    *,
    limit: int,
    after: SessionPosition | None = None,
    **query: Unpack[SessionQuery],
) -> tuple[list[SessionRecord], SessionPosition | None]:
    """A page, newest first, and where the next one starts (None: this was the last)."""
    coach_ids = visibility.coach_ids
    coach_id = query.get("coach_id")
    if coach_id is not None:
        # Asking for a coach one may not see is asking for nothing: an empty page, no hint.
        coach_ids = frozenset({coach_id}) & (coach_ids if coach_ids is not None else {coach_id})
    where = SessionFilter(
        coach_ids=coach_ids,
        date_from=query.get("date_from"),
        date_to=query.get("date_to"),
        status=query.get("status"),
        session_type=query.get("session_type"),
    )
    # One more than asked: whether there is a next page, without counting them all.
    found = deps.sessions.list_sessions(
        visibility.organization_id, limit + 1, where=where, after=after
    )
    page = found[:limit]
    last = page[-1] if len(found) > limit else None
    if last is None or last.created_at is None:
        return page, None
    return page, SessionPosition(created_at=last.created_at, id=last.id)


def visible_session(
    deps: Dependencies, visibility: Visibility, session_id: uuid.UUID
) -> SessionRecord:
    """The session, if it is the caller's to see; else NotFound, as for a missing one."""
    session = deps.sessions.get_session(visibility.organization_id, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    ensure_visible(visibility, session.coach_id, f"Session {session_id}")
    return session


def session_status(session: SessionRecord) -> dict[str, Any]:
    """How far processing got: what a screen polls after an upload."""
    return {
        "session_id": str(session.id),
        "status": session.processing_status,
        "failed_step": session.failed_step,
        "failure_reason": session.failure_reason,
        "execution_name": session.execution_name,
        "updated_at": session.updated_at.isoformat() if session.updated_at else None,
    }
