"""`coach retention`: delete sessions older than their organization's retention."""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid
from typing import Annotated

import typer

from local_runtime.cli_context import coach_context

retention = typer.Typer(
    help="Retention: sessions older than the organization's retention_days are deleted.",
    no_args_is_help=True,
)


@retention.command(
    epilog="Examples:\n\n  coach retention purge --dry-run   (what would go, and the cutoff)"
    "\n\n  coach retention purge --json"
)
def purge(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Delete every session older than its organization's retention (as `coach serve` does
    daily). Organizations without retention_days keep everything."""
    from coaching.usecases.retention import purge_expired

    platform = coach_context(ctx).platform()
    report = purge_expired(
        platform.deps, dt.datetime.now(dt.UTC), audit=platform.ports.audit_log, dry_run=dry_run
    )
    if as_json:
        data = report.model_dump(mode="json")
        data["deleted"], data["failed"] = report.deleted, report.failed
        sys.stdout.write(json.dumps(data) + "\n")
    else:
        _say_cutoffs(report.cutoff_by_organization, platform.settings.default_organization_id)
        verb = "would delete" if dry_run else "deleted"
        for session in report.sessions:
            state = f"not deleted: {session.error}" if session.error else verb
            typer.echo(f"{session.session_id}  received {session.received_at:%Y-%m-%d}  {state}")
        count = len(report.sessions) if dry_run else report.deleted
        typer.echo(f"{count} session(s) {verb}; {report.failed} left for the next run.")
    if report.failed:
        raise typer.Exit(1)


def _say_cutoffs(cutoffs: dict, own: uuid.UUID) -> None:
    """Which sessions the run is about: each organization's cutoff, and whether this
    install's organization has a retention at all."""
    if own not in cutoffs:
        typer.echo(
            "No retention is set for this organization: it keeps every session. An admin "
            'sets one with PATCH /v1/organization {"retention_days": N}.'
        )
    for org, cutoff in sorted(cutoffs.items()):
        whose = "this organization" if org == own else f"organization {org}"
        typer.echo(f"Cutoff for {whose}: sessions received before {cutoff:%Y-%m-%d %H:%M} UTC.")
