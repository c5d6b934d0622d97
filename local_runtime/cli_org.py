"""`coach org`: a new organization and its first admin, after a deploy (AWS: Cognito)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from local_runtime.cli_context import (
    coach_context,
    deployed_ports,
    exit_on_coaching_error,
    new_password,
)

org = typer.Typer(help="Organizations: create one with its first admin.", no_args_is_help=True)


@org.command(
    "create",
    epilog="Example: coach org create 'North Coaching' --admin ada@example.com "
    "--admin-name 'Ada Admin'",
)
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The organization's name")],
    admin: Annotated[str, typer.Option("--admin", help="The first admin's email")],
    admin_name: Annotated[
        str, typer.Option("--admin-name", help="The first admin's name, as shown in the app")
    ] = "Administrator",
    password: Annotated[
        str | None,
        typer.Option(
            envvar="COACH_NEW_USER_PASSWORD",
            help="The admin's temporary password, changed at the first sign-in; not given, "
            "Cognito emails one (locally it is asked for and is their password)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Create an organization and its first admin, who adds everyone else."""
    from coaching.domain.identity import Role

    settings = coach_context(ctx).settings
    person = {"email": admin, "name": admin_name, "role": Role.ADMIN}
    with exit_on_coaching_error(as_json):
        if settings.runtime == "aws":
            from coaching.usecases.people import create_organization

            with deployed_ports(settings) as ports:
                organization_id, user = create_organization(
                    ports.people, name, {**person, "temporary_password": password}
                )
        else:
            organization_id, user = _create_locally(ctx, name, person, password)
    if as_json:
        sys.stdout.write(
            json.dumps({"organization_id": str(organization_id), "admin_id": str(user.id)}) + "\n"
        )
        return
    typer.echo(f"Created organization {name} ({organization_id}) with admin {user.email}.")


def _create_locally(ctx: typer.Context, name: str, person: dict, password: str | None):
    """Locally the users table is the directory: the admin's password is theirs."""
    import uuid

    from coaching.usecases.accounts import add_user

    password = new_password(password)
    ports = coach_context(ctx).platform().ports
    organization_id = uuid.uuid4()
    ports.organizations.ensure_organization(organization_id, name.strip())
    user = add_user(
        ports.accounts,
        ports.identity_provider.hash_password,
        organization_id,
        password=password,
        **person,
    )
    return organization_id, user
