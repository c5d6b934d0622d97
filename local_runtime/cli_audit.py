"""`coach audit`: the accounting of access, as GET /v1/clients/{id}/access-log answers it."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Annotated

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error

audit = typer.Typer(help="The audit log: who accessed a client's data.", no_args_is_help=True)


@audit.command(
    "client", epilog="Example: coach audit client 3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71 --json"
)
def client(
    ctx: typer.Context,
    client_id: Annotated[uuid.UUID, typer.Argument(help="The client's id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array")] = False,
) -> None:
    """Every recorded access to one client's data, newest first: who, when, what, from where.
    Still there after the client was erased."""
    from coaching.usecases.client_access import access_view, client_access_log

    platform = coach_context(ctx).platform()
    org = platform.settings.default_organization_id
    store, _ = platform.ports.client_ports
    rows, after = [], None
    with exit_on_coaching_error(as_json):
        while True:
            page, after = client_access_log(
                platform.ports.audit_log, store, org, client_id, limit=500, after=after
            )
            rows += [access_view(entry) for entry in page]
            if after is None:
                break
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    for row in rows:
        what = f"{row['action']} {row['resource_type']} {row['resource_id'] or ''}".rstrip()
        typer.echo(f"{row['at']}  {row['actor']:<48} {what:<60} {row['source'] or ''}")
    typer.echo(f"{len(rows)} access(es) recorded.")
