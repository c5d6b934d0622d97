"""`coach security`: what `coach serve` noticed — failed sign-ins, refusals, rate limits."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer

from local_runtime.cli_context import coach_context

security = typer.Typer(
    help="Security events noticed by `coach serve` (the local side of the AWS alarms).",
    no_args_is_help=True,
)


@security.command(epilog="Example: coach security events --minutes 60 --json")
def events(
    ctx: typer.Context,
    minutes: Annotated[
        int, typer.Option("--minutes", min=1, help="How far back to look (default: a day)")
    ] = 24 * 60,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Counts of failed sign-ins, 403 and 404 answers to signed-in callers and 429s; the
    callers and addresses most often refused; and the bursts that crossed an alarm's
    threshold."""
    from local_runtime.security_watch import read_events, summarize

    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    report = summarize(read_events(coach_context(ctx).settings.security_events_log), since)
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    typer.echo(f"Security events since {since:%Y-%m-%d %H:%M} UTC:")
    for event, count in report["counts"].items():
        typer.echo(f"  {event:<16} {count}")
    for title, key in (
        ("Most refused callers", "top_actors"),
        ("Most active addresses", "top_sources"),
    ):
        if report[key]:
            typer.echo(f"{title}:")
            for item in report[key]:
                typer.echo(f"  {item['name']:<48} {item['count']}")
    if report["alarms"]:
        typer.echo("Alarms:")
        for alarm in report["alarms"]:
            who = f" ({alarm['actor']})" if alarm["actor"] else ""
            typer.echo(f"  {alarm['at']}  {alarm['alarm']}{who}: {alarm['count']} events")
    else:
        typer.echo("No alarm thresholds crossed.")
