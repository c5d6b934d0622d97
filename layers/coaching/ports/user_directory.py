"""The identity provider's own user records, as admins create them (Cognito in AWS).

Locally the users table *is* the directory (the local identity provider signs in against
it); in AWS a person exists twice: a Cognito user (the sign-in, with the claims the API
reads) and the PostgreSQL rows (user, coach record) whose id is that user's ``sub``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from coaching.domain.identity import Role


@dataclass(frozen=True)
class DirectoryUser:
    """What the directory keeps of a person: the sign-in's email and the token's claims."""

    email: str
    name: str
    organization_id: uuid.UUID
    role: Role
    coach_id: uuid.UUID | None = None


class UserDirectory(Protocol):
    def create_user(self, user: DirectoryUser, temporary_password: str | None = None) -> uuid.UUID:
        """Creates the user (email verified) and returns its id (Cognito's ``sub``).

        Without ``temporary_password`` the directory makes one and emails it; with one, the
        admin hands it over and nothing is emailed. Either way the first sign-in asks for a
        new password. Conflict when the email is taken; WeakPassword when the directory's
        policy refuses the temporary password."""
        ...

    def delete_user(self, user_id: uuid.UUID) -> None:
        """Removes the user (compensation); a user already gone is not an error."""
        ...

    def set_claims(self, user_id: uuid.UUID, role: Role, coach_id: uuid.UUID | None) -> None:
        """The role (and coach record) the user's next tokens carry."""
        ...

    def set_enabled(self, user_id: uuid.UUID, enabled: bool) -> None:
        """A disabled user cannot sign in and their refresh tokens stop working."""
        ...
