"""`coach users`: accounts of the local identity provider (Cognito's console in AWS)."""

from __future__ import annotations

import enum
import json
import sys
import uuid
from typing import Annotated

import typer

from coaching.domain.identity import Role
from local_runtime.cli_context import (
    coach_context,
    deployed_ports,
    exit_on_coaching_error,
    new_password,
)

# The --role choices: a person's roles (the service role is an API key's, not a person's).
PersonRole = enum.StrEnum(  # type: ignore[misc]
    "PersonRole", [(r.value, r.value) for r in Role if r is not Role.SERVICE]
)

users = typer.Typer(
    help="Accounts that sign in: add, list, change (role, disable), reset-mfa.",
    no_args_is_help=True,
)


@users.command(
    "add",
    epilog="Example: coach users add sam@example.com --name 'Sam Lee' --role coach "
    "--lead lead@example.com   (asks for the password)",
)
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The email they sign in with")],
    name: Annotated[str, typer.Option("--name", help="Their name, as shown in the app")],
    role: Annotated[
        PersonRole,  # type: ignore[valid-type]
        typer.Option("--role", help="What they do: coach, coach_lead, admin or support"),
    ],
    lead: Annotated[
        str | None, typer.Option("--lead", help="A coach's team lead (their email)")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="COACH_NEW_USER_PASSWORD",
            show_default=False,
            help="Asked for when not given (at least 12 characters). In AWS (COACH_RUNTIME="
            "aws) a temporary one, changed at the first sign-in; not given, Cognito emails one",
        ),
    ] = None,
    organization: Annotated[
        uuid.UUID | None,
        typer.Option(
            "--organization", help="The organization's id (default COACH_DEFAULT_ORGANIZATION_ID)"
        ),
    ] = None,
) -> None:
    """Add an account to this install's organization (in AWS: a Cognito user and its rows)."""
    settings = coach_context(ctx).settings
    org = organization or settings.default_organization_id
    role = Role(role)
    with exit_on_coaching_error():
        if settings.runtime == "aws":
            user = _add_on_aws(settings, org, email, name, role, lead, password)
        else:
            user = _add_locally(ctx, org, email, name, role, lead, password)
    typer.echo(f"Added {user.role.value} {user.email} ({user.id}).")


def _add_locally(ctx, org, email, name, role, lead, password):
    from coaching.usecases.accounts import add_user

    password = new_password(password)
    platform = coach_context(ctx).platform()
    return add_user(
        platform.ports.accounts,
        platform.ports.identity_provider.hash_password,
        org,
        email=email,
        name=name,
        role=role,
        password=password,
        lead_email=lead,
    )


def _add_on_aws(settings, org, email, name, role, lead, password):
    """The Cognito user (custom attributes, email verified) and its rows, undone together."""
    from coaching.usecases.people import add_person

    with deployed_ports(settings) as ports:
        return add_person(
            ports.people,
            org,
            email=email,
            name=name,
            role=role,
            temporary_password=password,
            lead_email=lead,
        )


@users.command("list", epilog="Example: coach users list --json")
def list_users(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array")] = False,
    organization: Annotated[
        uuid.UUID | None,
        typer.Option(
            "--organization", help="The organization's id (default COACH_DEFAULT_ORGANIZATION_ID)"
        ),
    ] = None,
) -> None:
    """The organization's accounts (never their passwords or MFA secrets)."""
    settings = coach_context(ctx).settings
    if settings.runtime == "aws":
        with deployed_ports(settings) as ports:  # the deployed database's rows
            accounts = ports.accounts.users(organization or settings.default_organization_id)
    else:
        platform = coach_context(ctx).platform()
        accounts = platform.ports.accounts.users(organization or settings.default_organization_id)
    rows = [
        {
            "id": str(user.id),
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "coach_id": str(user.coach_id) if user.coach_id else None,
            "mfa_enabled": user.mfa_enabled,
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
        for user in accounts
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    if not rows:
        typer.echo(
            "No users in this organization yet. Add one with `coach users add EMAIL --name NAME "
            "--role ROLE` (`coach serve` adds one demo account per role)."
        )
    for row in rows:
        mfa = "MFA" if row["mfa_enabled"] else "   "
        typer.echo(f"{row['role']:<11} {mfa} {row['email']:<30} {row['name']}")


@users.command("reset-mfa", epilog="Example: coach users reset-mfa sam@example.com")
def reset_mfa(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The email of the account")],
) -> None:
    """Remove an account's authenticator (a lost phone) and end its sign-ins; it enrols again
    at its next sign-in. For the one admin who cannot ask another (audited)."""
    platform = coach_context(ctx).platform()
    org, user = _account(platform, email)
    platform.ports.identity_provider.reset_mfa(org, user.id)
    _audit(platform, org, user.id, "reset_mfa", "coach-users-reset-mfa")
    typer.echo(f"Reset the authenticator of {user.email}: they enrol again at the next sign-in.")


@users.command(
    "change",
    epilog="Example: coach users change sam@example.com --role coach_lead   "
    "|   coach users change sam@example.com --disable",
)
def change(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The email of the account")],
    role: Annotated[
        PersonRole | None,  # type: ignore[valid-type]
        typer.Option("--role", help="Their new role: coach, coach_lead, admin or support"),
    ] = None,
    disabled: Annotated[
        bool | None,
        typer.Option("--disable/--enable", help="End their sign-ins and refuse new ones, or undo"),
    ] = None,
) -> None:
    """An admin's PATCH /v1/users/{id} from the terminal: a new role, or disabling. Either ends
    the person's sign-ins; no change leaves the organization without an enabled admin
    (audited)."""
    from coaching.domain.identity import Principal
    from coaching.usecases.user_admin import change_user

    if role is None and disabled is None:
        typer.echo("error: Say what changes: --role ROLE, --disable or --enable.", err=True)
        raise typer.Exit(2)
    platform = coach_context(ctx).platform()
    org, user = _account(platform, email)
    operator = Principal(user_id=uuid.uuid4(), organization_id=org, role=Role.ADMIN)
    with exit_on_coaching_error():
        changed = change_user(
            platform.ports.user_admin,
            operator,
            user.id,
            role=Role(role.value) if role is not None else None,
            disabled=disabled,
        )
    details = {"role": role.value} if role is not None else {}
    details |= {"disabled": disabled} if disabled is not None else {}
    _audit(platform, org, user.id, "update", "coach-users-change", details)
    state = "disabled" if changed.disabled_at else "enabled"
    typer.echo(f"{changed.email} is {changed.role.value}, {state}; their sign-ins have ended.")


def _account(platform, email: str):
    """(organization, account) of the default organization's person with that email; exit 1
    when there is none."""
    org = platform.settings.default_organization_id
    user = platform.ports.accounts.user_by_email(email)
    if user is None or user.organization_id != org:
        typer.echo(f"error: No account with the email {email} in this organization.", err=True)
        raise typer.Exit(1)
    return org, user


def _audit(platform, org: uuid.UUID, user_id: uuid.UUID, action: str, job: str, details=None):
    """The terminal's change to an account, in the audit log (ids and values, no content)."""
    from coaching.ports.audit import AuditEntry

    platform.ports.audit_log.record(
        AuditEntry(
            organization_id=org,
            actor=f"system:{job}",
            action=action,
            resource_type="user",
            resource_id=str(user_id),
            source="cli",
            details=details or {},
        )
    )
