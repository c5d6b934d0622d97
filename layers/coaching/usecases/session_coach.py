"""Whose session a new transcript makes: the one rule for every way a transcript comes in."""

from __future__ import annotations

import uuid

from coaching.domain.errors import NotFound
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.usecases.dependencies import Dependencies


def coach_for_session(
    deps: Dependencies, org: uuid.UUID, coach_id: uuid.UUID | None = None
) -> uuid.UUID | None:
    """The coach named (an upload's), else the organization's coach whose email is the
    configured coach email (the drop folder's and the S3 drop's coach: the local install's own
    coach), else nobody: a session of no coach is seen by admins only."""
    if coach_id is not None:
        return coach_id
    return deps.coaches.coach_id_by_email(org, deps.coach_email)


def assign_session(
    deps: Dependencies,
    audit: AuditLog,
    org: uuid.UUID,
    session_id: uuid.UUID,
    coach_email: str,
    *,
    actor: str,
    source: str,
) -> uuid.UUID:
    """Makes the session the coach's (of that email, in the organization): a session that
    came in with no coach, or the wrong one. Audited; returns the coach's id."""
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    coach_id = deps.coaches.coach_id_by_email(org, coach_email)
    if coach_id is None:
        raise NotFound(
            f"No coach account with the email {coach_email} in this organization.",
            hint="Add it with `coach users add EMAIL --name NAME --role coach`.",
        )
    deps.sessions.update_session(org, session_id, coach_id=coach_id)
    audit.record(
        AuditEntry(
            organization_id=org,
            actor=actor,
            action="assign",
            resource_type="session",
            resource_id=str(session_id),
            source=source,
            details={
                "coach_id": str(coach_id),
                "previous_coach_id": str(session.coach_id) if session.coach_id else None,
            },
            session_ids=(session_id,),
        )
    )
    return coach_id
