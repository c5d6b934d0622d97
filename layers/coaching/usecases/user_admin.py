"""An admin's people: add one, change their role, disable or enable them.

Both runtimes: locally the users table is the directory (an added user gets a temporary
password shown once to the admin); in AWS the Cognito user changes with the rows. A change of
role or a disabling ends the user's sign-ins (a revocation: their tokens, and sockets, carry
the old role), and no change may leave the organization without an enabled admin.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from coaching.domain.accounts import UserAccount
from coaching.domain.errors import Conflict, NotFound, PermanentError
from coaching.domain.identity import Principal, Role
from coaching.ports.accounts import UserAccounts
from coaching.ports.token_revocations import TokenRevocations
from coaching.ports.user_directory import UserDirectory
from coaching.usecases.accounts import add_user
from coaching.usecases.people import PeoplePorts, add_person


@dataclass(frozen=True)
class AddedUser:
    user: UserAccount
    temporary_password: str | None  # locally: shown once; in AWS Cognito emails it


@dataclass(frozen=True)
class UserAdminPorts:
    """What an admin's changes touch, built once by the composition root. ``people``: the
    Cognito directory (AWS); None locally, where ``hash_password`` makes the users row's."""

    accounts: UserAccounts
    revocations: TokenRevocations
    people: PeoplePorts | None = None
    hash_password: Callable[[str], str] | None = None
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    @property
    def directory(self) -> UserDirectory | None:
        return self.people.directory if self.people is not None else None


def add_organization_user(
    ports: UserAdminPorts, org: uuid.UUID, *, email: str, name: str, role: Role
) -> AddedUser:
    if ports.people is not None:
        user = add_person(ports.people, org, email=email, name=name, role=role)
        return AddedUser(user, None)
    if ports.hash_password is None:
        raise PermanentError("This runtime cannot add users.")
    temporary = secrets.token_urlsafe(12)  # 16 characters: within the password rules
    user = add_user(
        ports.accounts,
        ports.hash_password,
        org,
        email=email,
        name=name,
        role=role,
        password=temporary,
    )
    # The admin saw it: it only lets the person choose their own (NEW_PASSWORD_REQUIRED).
    ports.accounts.update_user(org, user.id, password_change_required=True)
    return AddedUser(user.model_copy(update={"password_change_required": True}), temporary)


def change_user(
    ports: UserAdminPorts,
    admin: Principal,
    user_id: uuid.UUID,
    *,
    role: Role | None = None,
    disabled: bool | None = None,
) -> UserAccount:
    """Only what is sent changes; a change that changes nothing ends no sign-in."""
    org = admin.organization_id
    user = ports.accounts.user(org, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    if role is Role.SERVICE:
        raise PermanentError(
            "The service role belongs to API keys, not to people.",
            hint="Create a key with POST /v1/api-keys.",
        )
    new_role = role if role is not None else user.role
    now_disabled = disabled if disabled is not None else user.disabled_at is not None
    role_changes = new_role is not user.role
    disabling_changes = now_disabled != (user.disabled_at is not None)
    if not role_changes and not disabling_changes:
        return user
    if user.role is Role.ADMIN and (new_role is not Role.ADMIN or now_disabled):
        _keep_an_admin(ports.accounts, org, user_id, is_self=user_id == admin.user_id)

    fields: dict[str, object] = {}
    coach_id = user.coach_id
    if role_changes:
        fields["role"] = new_role.value
        if new_role in (Role.COACH, Role.COACH_LEAD) and coach_id is None:
            # A coach's sessions are filed under a coach record (the existing one, if any).
            coach_id = ports.accounts.add_coach(org, email=user.email, name=user.name)
            fields["coach_id"] = coach_id
    if disabling_changes:
        fields["disabled_at"] = ports.clock() if now_disabled else None
    directory = ports.directory
    if directory is not None:
        if role_changes:
            directory.set_claims(user_id, new_role, coach_id)
        if disabling_changes:
            directory.set_enabled(user_id, not now_disabled)
    ports.accounts.update_user(org, user_id, **fields)
    # Their tokens carry the old role, or belong to a disabled user: they end here, and the
    # revocation closes their sockets (usecases/socket_sign_out.py).
    ports.revocations.revoke_tokens(org, user_id, ports.clock())
    changed = ports.accounts.user(org, user_id)
    assert changed is not None  # noqa: S101 - it was just updated in the same organization
    return changed


def _keep_an_admin(
    accounts: UserAccounts, org: uuid.UUID, user_id: uuid.UUID, *, is_self: bool
) -> None:
    others = [
        u
        for u in accounts.users(org)
        if u.role is Role.ADMIN and u.disabled_at is None and u.id != user_id
    ]
    if not others:
        who = "You are" if is_self else "This user is"
        raise Conflict(
            f"{who} the organization's only admin: it would be left without one.",
            hint="Make someone else an admin first.",
        )
