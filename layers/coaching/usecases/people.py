"""People on a user directory (Cognito in AWS): the directory's user plus the PostgreSQL rows
(the user, and a coach's coach record), made in one use case that undoes its own half when
the other half fails; and a new organization with its first admin.

Order: the coach record first (its id is a claim of the directory user), then the directory
user (its ``sub`` is the user row's id), then the user row. A failed step undoes the earlier
ones, so neither a sign-in without rows nor rows without a sign-in is left behind.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import NotRequired, TypedDict, Unpack

from coaching.domain.accounts import UserAccount
from coaching.domain.errors import Conflict, NotFound, PermanentError
from coaching.domain.identity import Role
from coaching.ports.accounts import UserAccounts
from coaching.ports.coaches import Coaches
from coaching.ports.organizations import Organizations
from coaching.ports.user_directory import DirectoryUser, UserDirectory
from coaching.usecases.accounts import check_password, lead_coach_id

logger = logging.getLogger(__name__)

# The users row's password hash when the directory keeps the password: no hash matches it,
# so the local identity provider could never sign this user in.
DIRECTORY_PASSWORD = "!directory"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class PeoplePorts:
    """What adding people touches, built once by the composition root."""

    accounts: UserAccounts
    coaches: Coaches
    organizations: Organizations
    directory: UserDirectory


class NewPerson(TypedDict):
    email: str
    name: str
    role: Role
    temporary_password: NotRequired[str | None]  # unset: the directory emails one
    lead_email: NotRequired[str | None]  # a coach's lead, by their email


def add_person(ports: PeoplePorts, org: uuid.UUID, **person: Unpack[NewPerson]) -> UserAccount:
    role, name = person["role"], person["name"]
    email = person["email"].strip()
    temporary_password = person.get("temporary_password")
    if role is Role.SERVICE:
        raise PermanentError(
            "The service role belongs to API keys, not to people.",
            hint="Create a key with POST /v1/api-keys.",
        )
    if temporary_password is not None:
        check_password(temporary_password)
    if not ports.organizations.organization_exists(org):
        raise NotFound(
            f"There is no organization {org}.",
            hint="Create one with `coach org create NAME --admin EMAIL`.",
        )
    if ports.accounts.user_by_email(email) is not None:
        raise Conflict(f"An account with the email {email} already exists.")

    undo: list[tuple[str, Callable[[], None]]] = []
    try:
        coach_id = None
        if role in (Role.COACH, Role.COACH_LEAD):
            lead_email = person.get("lead_email")
            lead_id = lead_coach_id(ports.accounts, org, lead_email) if lead_email else None
            had_record = ports.coaches.coach_id_by_email(org, email) is not None
            coach_id = ports.accounts.add_coach(org, email=email, name=name, lead_coach_id=lead_id)
            if not had_record:
                undo.append(("coach record", lambda: ports.accounts.remove_coach(org, coach_id)))
        user_id = ports.directory.create_user(
            DirectoryUser(email, name, org, role, coach_id), temporary_password
        )
        undo.append(("directory user", lambda: ports.directory.delete_user(user_id)))
        return ports.accounts.add_user(
            org,
            email=email,
            name=name,
            role=role.value,
            password_hash=DIRECTORY_PASSWORD,
            coach_id=coach_id,
            user_id=user_id,
        )
    except Exception:
        _compensate(undo)
        raise


def create_organization(
    ports: PeoplePorts, name: str, admin: NewPerson
) -> tuple[uuid.UUID, UserAccount]:
    """A new organization and its first admin (``admin['role']`` is ignored: admin). The
    organization row stays if the admin cannot be made (organizations are never deleted):
    the error names it, so the admin can be added to it with `coach users add`."""
    name = name.strip()
    if not name:
        raise PermanentError("The organization needs a name.")
    org = uuid.uuid4()
    ports.organizations.ensure_organization(org, name)
    try:
        user = add_person(
            ports,
            org,
            email=admin["email"],
            name=admin["name"],
            role=Role.ADMIN,
            temporary_password=admin.get("temporary_password"),
        )
    except PermanentError as error:
        error.hint = (
            f"{error.hint} The organization {org} was created without an admin: add one with "
            f"`coach users add EMAIL --role admin --organization {org}`."
        ).strip()
        raise
    return org, user


def _compensate(undo: list[tuple[str, Callable[[], None]]]) -> None:
    """Undoes the steps done, last first; one that fails is logged (never the email) and the
    others still run."""
    for what, step in reversed(undo):
        try:
            step()
        except Exception:
            logger.exception("Could not undo the %s of a person not added: remove it by hand", what)
