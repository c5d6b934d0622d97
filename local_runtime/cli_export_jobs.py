"""`coach export schedule` and `coach export list`: the same schedules as POST
/v1/export/schedule, as the local operator (an admin of the default organization); `coach
serve` fires them. Added to core's `coach export` group (cli_export.py) by ``register``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error

if TYPE_CHECKING:
    from coaching.domain.identity import Principal
    from local_runtime.platform import LocalPlatform

RECENT_RUNS = 20


def _operator(platform: LocalPlatform) -> Principal:
    from coaching.domain.identity import Principal, Role
    from local_runtime.cli_search import LOCAL_OPERATOR_ID

    org = platform.settings.default_organization_id
    return Principal(
        user_id=LOCAL_OPERATOR_ID, organization_id=org, role=Role.ADMIN, source_ip="cli"
    )


def schedule(
    ctx: typer.Context,
    cron: Annotated[
        str, typer.Option("--cron", help='5-field cron, at most hourly, e.g. "0 6 * * 1"')
    ],
    format_: Annotated[str, typer.Option("--format", help="json, jsonl, csv or parquet")],
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA zone the cron is read in")
    ] = "UTC",
    mapping: Annotated[str | None, typer.Option("--mapping", help="A field mapping")] = None,
    destination: Annotated[
        str, typer.Option("--destination", help="download, hubspot or salesforce")
    ] = "download",
    include_sensitive: Annotated[
        bool, typer.Option("--include-sensitive", help="Include flagged items (audited)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Schedule an export of the whole organization: `coach serve` runs it at the cron's
    times, each run carrying what changed since the last successful one, into
    $COACH_HOME/exports/<schedule id>/<run id>/."""
    from coaching.api.exports import schedule_view
    from coaching.domain.errors import Unprocessable
    from coaching.domain.export_schedules import Cadence
    from coaching.usecases.export_jobs import ExportOrder, ScheduleOrder, create_schedule

    with exit_on_coaching_error(as_json):
        if format_ not in ("json", "jsonl", "csv", "parquet"):
            raise Unprocessable("--format is json, jsonl, csv or parquet.")
        if destination not in ("download", "hubspot", "salesforce"):
            raise Unprocessable("--destination is download, hubspot or salesforce.")
        platform = coach_context(ctx).platform()
        made = create_schedule(
            platform.ports.export_job_ports,
            _operator(platform),
            ScheduleOrder(
                order=ExportOrder(
                    format=format_, mapping=mapping, include_sensitive=include_sensitive
                ),
                cadence=Cadence.parse(cron, timezone),
                destination=destination,
            ),
            dt.datetime.now(dt.UTC),
        )
    view = schedule_view(made)
    if as_json:
        sys.stdout.write(json.dumps(view) + "\n")
        return
    typer.echo(
        f"Scheduled {view['id']}: {view['description']} ({view['timezone']}), "
        f"{view['format']} to {view['destination']}; next run {view['next_run_at']}."
    )


def list_exports(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """The organization's export schedules and its recent runs, newest first."""
    from coaching.api.exports import job_view, schedule_view
    from coaching.usecases.export_jobs import schedules_of

    with exit_on_coaching_error(as_json):
        platform = coach_context(ctx).platform()
        ports = platform.ports.export_job_ports
        operator = _operator(platform)
        schedules = [schedule_view(s) for s in schedules_of(ports, operator)]
        runs = [
            job_view(ports, run)
            for run in ports.queue.recent(operator.organization_id, None, RECENT_RUNS)
        ]
    if as_json:
        sys.stdout.write(json.dumps({"schedules": schedules, "runs": runs}) + "\n")
        return
    _print(schedules, runs)


def _print(schedules: list[dict[str, Any]], runs: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table("id", "when", "format", "destination", "next run", title="Schedules")
    for s in schedules:
        when = f"{s['description']} ({s['timezone']})"
        table.add_row(s["id"], when, s["format"], s["destination"], s["next_run_at"] or "")
    console.print(table if schedules else "No export schedules.")
    table = Table("id", "status", "format", "rows", "created", title="Recent runs")
    for r in runs:
        rows = str(sum(r["row_counts"].values()))
        table.add_row(r["id"], r["status"], r["format"], rows, r["created_at"] or "")
    console.print(table if runs else "No export runs yet.")


def register(export: typer.Typer) -> None:
    """Adds `schedule` and `list` to the `coach export` group."""
    export.command(
        "schedule",
        epilog='Example: coach export schedule --cron "0 6 * * 1" --format csv'
        " --timezone Europe/Berlin",
    )(schedule)
    export.command("list", epilog="Example: coach export list --json")(list_exports)
