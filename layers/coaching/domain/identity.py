"""Who is calling, and what their role lets them see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    COACH = "coach"  # their own sessions and the clients in them
    COACH_LEAD = "coach_lead"  # their own and their team's sessions
    ADMIN = "admin"  # everything in their organization, settings and the audit log
    SUPPORT = "support"  # processing runs' metadata only: never client content
    # An integration's API key, never a person: what an admin of its organization sees,
    # limited to the routes its scopes name (coaching.api.scopes); never the admin routes.
    SERVICE = "service"


# Roles that may read or change client data (transcripts, results, summaries, clients).
CLIENT_DATA_ROLES = (Role.COACH, Role.COACH_LEAD, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    """The signed-in user (or API key), as the authorizer vouched for them (never read from the
    body)."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: Role
    coach_id: uuid.UUID | None = None
    source_ip: str | None = None
    scopes: frozenset[str] = frozenset()  # an API key's (Role.SERVICE); people have none

    @property
    def actor(self) -> str:
        """How the audit log names them: an id, never an email. An API key's ``user_id`` is
        the key's id."""
        if self.role is Role.SERVICE:
            return f"api-key:{self.user_id}"
        return f"user:{self.user_id}"


@dataclass(frozen=True)
class Visibility:
    """Which sessions a principal sees inside their organization.

    ``coach_ids`` None means every session of the organization (admins).
    """

    organization_id: uuid.UUID
    coach_ids: frozenset[uuid.UUID] | None

    def allows(self, coach_id: uuid.UUID | None) -> bool:
        return self.coach_ids is None or (coach_id is not None and coach_id in self.coach_ids)
