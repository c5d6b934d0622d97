"""`coach keys`: the keys that encrypt clients' contact details (KMS's console in AWS)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error

keys = typer.Typer(help="Field encryption keys: rotate.", no_args_is_help=True)


@keys.command(epilog="Example: coach keys rotate --json")
def rotate(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """A new key version for every organization; every encrypted field is encrypted again
    under it, then the old versions are retired."""
    from coaching.usecases.contact_encryption import rotate_keys

    ports = coach_context(ctx).platform().ports
    encryption = ports.field_encryption
    with exit_on_coaching_error(as_json):
        report = rotate_keys(
            encryption.vault,
            encryption.cipher,
            encryption.data_keys,
            ports.contact_details,
        )
    if as_json:
        sys.stdout.write(report.model_dump_json() + "\n")
    else:
        _print_human(report)
    if report.failed:
        raise typer.Exit(1)


def _print_human(report) -> None:
    typer.echo(f"Key encryption key now {report.key_encryption_key}.")
    for org in report.organizations:
        typer.echo(
            f"{org.organization_id}  data key v{org.data_key_version}:"
            f" {org.clients_reencrypted} client(s) re-encrypted,"
            f" {org.data_keys_retired} old version(s) retired"
            + (f"; kept the old: {org.error}" if org.error else "")
        )
    if report.key_encryption_keys_retired:
        typer.echo(f"Retired: {', '.join(report.key_encryption_keys_retired)}.")
