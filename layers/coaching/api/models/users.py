"""People answers: the organization's users (admins), the coaches an upload may name."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from coaching.api.models.base import Answer

# A person's roles: the service role is an API key's (a request naming it is refused, 422).
PersonRole = Literal["coach", "coach_lead", "admin", "support"]


class UserView(Answer):
    """A person of the organization (never their password or authenticator)."""

    id: str
    email: str
    name: str
    role: PersonRole
    mfa_enabled: bool
    disabled: bool


class UserList(Answer):
    items: list[UserView]


class AddedUserView(UserView):
    temporary_password: str | None = Field(
        description="locally: their first password, shown only in this answer (hand it "
        "over); null in AWS, where Cognito emails one that must be changed at first sign-in"
    )


class CoachOption(Answer):
    id: str
    name: str


class CoachList(Answer):
    items: list[CoachOption] = Field(
        description="the coaches a session may be uploaded for: an admin's are all, a "
        "lead's their team, a coach's themselves"
    )
