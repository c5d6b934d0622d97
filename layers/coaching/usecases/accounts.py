"""Creating accounts: a user, and for coaches their coach record (and team lead); a person's
change of their own password."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import NotRequired, TypedDict, Unpack

from coaching.domain.accounts import UserAccount
from coaching.domain.errors import Forbidden, NotFound, PermanentError, WeakPassword
from coaching.domain.identity import Principal, Role
from coaching.ports.accounts import UserAccounts
from coaching.ports.identity import IdentityProvider

MIN_PASSWORD_LENGTH = 12


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.",
            hint="A few unrelated words make a strong password that is easy to remember.",
        )


class NewUser(TypedDict):
    """Who is being added: as the CLI, the demo accounts and the tests name them."""

    email: str
    name: str
    role: Role
    password: str
    lead_email: NotRequired[str | None]  # a coach's lead, by their email


def add_user(
    accounts: UserAccounts,
    hash_password: Callable[[str], str],
    org: uuid.UUID,
    **person: Unpack[NewUser],
) -> UserAccount:
    """Coaches and leads get a coach record (their sessions are filed under it); a coach may
    name their lead's email, whose coach record must exist in the organization."""
    role, password, name = person["role"], person["password"], person["name"]
    if role is Role.SERVICE:
        raise PermanentError(
            "The service role belongs to API keys, not to people.",
            hint="Create a key with POST /v1/api-keys.",
        )
    check_password(password)
    email = person["email"].strip()
    lead_email = person.get("lead_email")
    coach_id = None
    if role in (Role.COACH, Role.COACH_LEAD):
        lead_id = lead_coach_id(accounts, org, lead_email) if lead_email else None
        coach_id = accounts.add_coach(org, email=email, name=name, lead_coach_id=lead_id)
    return accounts.add_user(
        org,
        email=email,
        name=name,
        role=role.value,
        password_hash=hash_password(password),
        coach_id=coach_id,
    )


def lead_coach_id(accounts: UserAccounts, org: uuid.UUID, lead_email: str) -> uuid.UUID:
    lead = next(
        (u for u in accounts.users(org) if u.email.lower() == lead_email.strip().lower()), None
    )
    if lead is None or lead.role is not Role.COACH_LEAD or lead.coach_id is None:
        raise NotFound(
            f"No coach lead with the email {lead_email} in this organization.",
            hint="Add the lead first (role coach_lead).",
        )
    return lead.coach_id


def change_own_password(
    accounts: UserAccounts,
    identity_provider: IdentityProvider,
    person: Principal,
    current_password: str,
    new_password: str,
) -> None:
    """The signed-in person's new password, proven by the current one; then every sign-in of
    theirs ends (this one too): whoever held the old password may hold a sign-in made with
    it. The web app sends the person to Sign in with the new password."""
    check_password(new_password)  # the rules of the sign-in's new password
    user = accounts.user(person.organization_id, person.user_id)
    if user is None:
        raise Forbidden("Only people with an account have a password here.")
    identity_provider.change_password(user.email, current_password, new_password)
    identity_provider.sign_out_everywhere(person.organization_id, person.user_id)
