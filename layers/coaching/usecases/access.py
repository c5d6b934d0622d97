"""Which sessions a signed-in user may see: the one rule every route applies."""

from __future__ import annotations

import uuid
from typing import Protocol, TypeVar

from coaching.domain.errors import Forbidden, NotFound
from coaching.domain.identity import CLIENT_DATA_ROLES, Principal, Role, Visibility
from coaching.ports.directory import Directory


class OfASession(Protocol):
    """A record that belongs to a session: a summary, a follow-up."""

    @property
    def session_coach_id(self) -> uuid.UUID | None: ...


RecordT = TypeVar("RecordT", bound=OfASession)


def visibility_for(principal: Principal, directory: Directory) -> Visibility:
    org = principal.organization_id
    if principal.role in (Role.ADMIN, Role.SERVICE):  # a key: its scopes limit the routes
        return Visibility(org, None)
    if principal.role is Role.SUPPORT:
        raise Forbidden("The support role sees processing runs, not client data.")
    if principal.coach_id is None:
        return Visibility(org, frozenset())
    if principal.role is Role.COACH_LEAD:
        return Visibility(org, frozenset(directory.team_coach_ids(org, principal.coach_id)))
    return Visibility(org, frozenset({principal.coach_id}))


def may_see_session_of(
    principal: Principal, directory: Directory, coach_id: uuid.UUID | None
) -> bool:
    """visibility_for's answer for one session (of ``coach_id``) as a yes or no: what a push
    about that session asks of each open socket. Support sees no client data: no."""
    if principal.role not in CLIENT_DATA_ROLES:
        return False
    return visibility_for(principal, directory).allows(coach_id)


def ensure_visible(visibility: Visibility, coach_id: uuid.UUID | None, what: str) -> None:
    """Someone else's session answers exactly like a missing one: 404, nothing revealed."""
    if not visibility.allows(coach_id):
        raise NotFound(f"{what} does not exist.")


def require_visible(
    record: RecordT | None, principal: Principal, directory: Directory, what: str
) -> RecordT:
    """A record of a session (``record.session_coach_id``), if it exists and the caller may
    see that session; else 404, exactly as if it did not exist."""
    if record is None:
        raise NotFound(f"{what} does not exist.")
    ensure_visible(visibility_for(principal, directory), record.session_coach_id, what)
    return record
