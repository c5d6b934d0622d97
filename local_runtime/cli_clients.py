"""`coach clients`: the organization's clients, and keeping one's record (as an admin would
with GET /v1/clients and PUT /v1/clients/{id}); every change audited, ids only."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error, fail

if TYPE_CHECKING:
    from local_runtime.platform import LocalPlatform

clients = typer.Typer(
    help="Clients: list them, keep their records, import a list.", no_args_is_help=True
)


@clients.command("list", epilog="Example: coach clients list --name priya --pending")
def list_clients(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--name", help="Part of the name")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only clients to confirm")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array")] = False,
) -> None:
    """Every client of the organization, by name: status, sessions, email on record or not."""
    from coaching.usecases.client_history import client_overview

    platform = coach_context(ctx).platform()
    org = platform.settings.default_organization_id
    store, _ = platform.ports.client_ports
    rows, offset = [], 0
    while page := store.list_clients(
        org,
        None,
        status="pending" if pending else None,
        name_contains=name,
        limit=500,
        offset=offset,
    ):
        for client in page:
            contact = platform.ports.contact_details.contact(org, client.id)
            details = platform.ports.client_records.details(org, client.id)
            rows.append(
                client_overview(client)
                | {
                    "has_email": contact.email is not None,
                    "opted_out": details is not None and details.opted_out_at is not None,
                }
            )
        offset += len(page)
    _record(platform, org, "read", None, [uuid.UUID(r["id"]) for r in rows])
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    for row in rows:
        flags = ("" if row["has_email"] else " no-email") + (
            " opted-out" if row["opted_out"] else ""
        )
        typer.echo(f"{row['id']}  {row['status']:<8} {row['sessions']:>3}  {row['name']}{flags}")
    typer.echo(f"{len(rows)} client(s).")


@clients.command(
    "update",
    epilog="Example: coach clients update 3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71 --confirm "
    "--email priya@example.com",
)
def update(
    ctx: typer.Context,
    client_id: Annotated[uuid.UUID, typer.Argument(help="The client's id")],
    name: Annotated[str | None, typer.Option("--name", help="The corrected name")] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="Confirm a pending client")] = False,
    email: Annotated[str | None, typer.Option("--email", help="The email address")] = None,
    no_email: Annotated[bool, typer.Option("--no-email", help="Remove the email")] = False,
    opt_out: Annotated[
        bool | None, typer.Option("--opt-out/--opt-in", help="No follow-up emails, or again")
    ] = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="The id in your own list")
    ] = None,
) -> None:
    """Change what is given; everything else stays. The email is stored encrypted."""
    from pydantic import ValidationError

    from coaching.api.clients import ClientRecordUpdate
    from coaching.domain.clients import ClientDetailsUpdate
    from coaching.domain.errors import CoachingError, NotFound
    from coaching.usecases.client_records import update_client

    platform = coach_context(ctx).platform()
    org = platform.settings.default_organization_id
    records, contacts = platform.ports.client_records, platform.ports.contact_details
    try:
        current = records.details(org, client_id)
        if current is None:
            raise NotFound(f"Client {client_id} does not exist.")
        contact_changes = {"email": None} if no_email else {"email": email} if email else {}
        # The API's own validation: the same rules for the same record.
        checked = ClientRecordUpdate.model_validate(
            {
                "name": name or current.name,
                "status": "active" if confirm else current.status,
                "opted_out": (current.opted_out_at is not None) if opt_out is None else opt_out,
                "external_id": current.external_id if external_id is None else external_id,
                **contact_changes,
            }
        )
        record = update_client(
            records,
            contacts,
            org,
            client_id,
            update=ClientDetailsUpdate(
                name=checked.name,
                status=checked.status,
                opted_out=checked.opted_out,
                external_id=checked.external_id,
            ),
            contact={"email": checked.email} if contact_changes else {},
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        typer.echo(f"error: {problems}", err=True)
        raise typer.Exit(2) from None
    except CoachingError as error:
        typer.echo(f"error: {error.user_message()}", err=True)
        raise typer.Exit(1) from None
    changed = sorted(
        f
        for f, given in (
            ("name", name),
            ("status", confirm or None),
            ("email", contact_changes or None),
            ("opted_out", opt_out),
            ("external_id", external_id),
        )
        if given is not None
    )
    _record(platform, org, "update", client_id, [client_id], changed=changed)
    opted = " (opted out)" if record["opted_out"] else ""
    email_state = "with an email" if record["email"] else "no email"
    typer.echo(f"Client {client_id}: {record['name']}, {record['status']}, {email_state}{opted}.")


def _record(
    platform: LocalPlatform,
    org: uuid.UUID,
    action: str,
    resource_id: uuid.UUID | None,
    client_ids: list[uuid.UUID],
    **details: Any,
) -> None:
    """Audited like the API's calls, by the CLI's system actor: ids only, never the email."""
    from coaching.ports.audit import AuditEntry

    platform.ports.audit_log.record(
        AuditEntry(
            organization_id=org,
            actor="system:coach-clients",
            action=action,
            resource_type="client",
            resource_id=None if resource_id is None else str(resource_id),
            source="cli",
            details=details,
            client_ids=tuple(client_ids),
        )
    )


@clients.command("import", epilog="Example: coach clients import clients.csv --json")
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: name, email, external_id (optional)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Import a client list: each row creates a client, updates the one it names, or is
    skipped with the reason (as POST /v1/clients/import)."""
    from coaching.domain.identity import Visibility
    from coaching.usecases.client_import import ClientImport

    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(f"Cannot read {file}: {error.strerror}.", as_json=as_json) from None
    platform = coach_context(ctx).platform()
    org = platform.settings.default_organization_id
    store, _ = platform.ports.client_ports
    importer = ClientImport(
        platform.ports.client_records, platform.ports.contact_details, store, Visibility(org, None)
    )
    with exit_on_coaching_error(as_json):
        reports = importer.run(data)
    counts = {k: sum(r.result == k for r in reports) for k in ("created", "updated", "skipped")}
    touched = [r.client_id for r in reports if r.client_id and r.result != "skipped"]
    _record(platform, org, "import", None, touched, **counts)
    if as_json:
        sys.stdout.write(json.dumps({**counts, "rows": [r.view() for r in reports]}) + "\n")
        return
    for r in reports:
        why = f": {r.reason}" if r.reason else (f" ({', '.join(r.changed)})" if r.changed else "")
        typer.echo(f"row {r.row:>5}  {r.result:<8} {str(r.client_id or ''):<36}{why}")
    typer.echo(", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".")
