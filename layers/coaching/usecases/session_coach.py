"""Whose session a new transcript makes: the one rule for every way a transcript comes in."""

from __future__ import annotations

import uuid

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
