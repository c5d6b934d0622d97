"""`coach export push --crm hubspot|salesforce`: the organization's export pushed into a CRM
through its ready-made mapping (clients as contacts, approved summaries as notes, action
items as tasks), upserted by external id so a second push creates nothing new. The token is
read from $COACH_HOME/secrets/crm-<crm>.json (mode 0600). Registered on `coach export` by
local_runtime/cli_export.py."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from typing import Annotated

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error

# Who a CLI push is by, in the audit log and the run record (as `coach export run`).
CLI_ACTOR = "system:coach-export"


class CrmOption(enum.StrEnum):
    hubspot = "hubspot"
    salesforce = "salesforce"


def _since(value: str | None) -> dt.datetime | None:
    """As `coach export run --since`: an ISO date (midnight UTC) or date and time."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO date (2026-11-01) or date and time."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def push(
    ctx: typer.Context,
    crm: Annotated[CrmOption, typer.Option("--crm", help="hubspot or salesforce")],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="ISO-DATE", help="Only what changed since (2026-11-01, UTC)"
        ),
    ] = None,
    include_sensitive: Annotated[
        bool,
        typer.Option(
            "--include-sensitive",
            help="Also items resting on a flagged turn (health...); audited",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Push clients (contacts), approved summaries (notes) and action items (tasks) into
    HubSpot or Salesforce, each upserted by its id: pushing again updates, never duplicates.
    Audited."""
    from coaching.exports.mappings import READY_MADE
    from coaching.usecases.crm_push import push_export
    from coaching.usecases.export_run import ExportRequest

    moment = _since(since)
    platform = coach_context(ctx).platform()
    org = platform.settings.default_organization_id
    request = ExportRequest(
        organization_id=org,
        actor=CLI_ACTOR,
        coach_ids=None,
        format="json",  # unused by a push: no file is written
        since=moment,
        include_sensitive=include_sensitive,
        destination=crm.value,
        source="cli",
    )
    with exit_on_coaching_error(as_json):
        # Not connected is said at once, even when there is nothing to push yet.
        platform.ports.crm_credentials(org, crm.value).load()
        pusher = platform.ports.crm_pusher(org, crm.value)
        result = push_export(platform.ports.crm_push_ports, request, pusher, READY_MADE[crm.value])
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict()) + "\n")
        return
    for entity, counts in result.counts().items():
        typer.echo(
            f"{entity:<13} {counts['rows']:>6} row(s): {counts['created']} created,"
            f" {counts['updated']} updated, {counts['skipped']} skipped,"
            f" {counts['failed']} failed"
        )
    for external_id, reason in result.total.failed:
        typer.echo(f"  failed: {external_id}: {reason}")
    typer.echo(f"Pushed into {crm.value} (run {result.run_id}).")
