"""The `coach` command: run the platform locally and process transcripts."""

from __future__ import annotations

import atexit
import datetime as dt
import enum
import gc
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from local_runtime.cli_audit import audit
from local_runtime.cli_clients import clients
from local_runtime.cli_context import coach_context, read_settings
from local_runtime.cli_executions import executions
from local_runtime.cli_follow_ups import follow_ups
from local_runtime.cli_keys import keys
from local_runtime.cli_org import org
from local_runtime.cli_retention import retention
from local_runtime.cli_security import security
from local_runtime.cli_summaries import summaries
from local_runtime.cli_users import users

# At exit the interpreter's last collections walk every object the platform loaded, half a
# second of CPU after a one-shot command has printed its result. Frozen objects are skipped;
# atexit handlers (the embedded database's stop) and finalizers still run.
atexit.register(gc.freeze)

app = typer.Typer(
    help="Coaching platform: process session transcripts and run the platform locally.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _settings(ctx: typer.Context) -> None:
    # Settings are read here, once per command, and handed down in ctx.obj (CoachContext).
    read_settings(ctx)


class SessionKind(enum.StrEnum):
    group = "group"
    individual = "individual"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def process(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Transcript file (.vtt, .srt, .txt)")],
    session_type: Annotated[
        SessionKind | None, typer.Option("--type", help="group or individual")
    ] = None,
    date: Annotated[
        dt.datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="YYYY-MM-DD")
    ] = None,
    coach: Annotated[
        str | None, typer.Option("--coach", help="The coach's name as in the transcript")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    turns: Annotated[
        bool, typer.Option("--turns", help="With --json: every turn, labelled")
    ] = False,
    source_format: Annotated[
        str | None,
        typer.Option("--format", help="Force a format instead of detecting it"),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show step logs")] = False,
) -> None:
    """Run the session pipeline on FILE and print each participant's results."""
    if not file.is_file():
        raise _fail(f"{file} does not exist or is not a file. Check the path and try again.", 2)
    from coaching.parsing import SUPPORTED_FORMATS

    if source_format is not None and source_format not in SUPPORTED_FORMATS:
        supported = ", ".join(SUPPORTED_FORMATS)
        raise _fail(f"unknown format {source_format!r}. Supported formats: {supported}.", 2)
    from local_runtime.embedded_postgres import start_in_background

    cli = coach_context(ctx)
    settings = cli.settings
    # The embedded database boots while the platform's modules import below.
    database = None if settings.database_url else start_in_background(settings.pgdata_dir)
    from coaching.usecases.session_results import session_results
    from coaching.usecases.submit_transcript import process_transcript

    platform = cli.platform(log_level="INFO" if verbose else "ERROR", embedded_database=database)
    org = platform.settings.default_organization_id
    submission, execution = process_transcript(
        platform.deps,
        platform.workflow,
        org,
        file.read_bytes(),
        file.name,
        session_type=session_type.value if session_type else None,
        session_date=date.date() if date else None,
        coach_name=coach,
        format_hint=source_format,
    )
    result = session_results(platform.deps, org, submission.session_id, include_turns=turns)
    result["duplicate_of"] = str(submission.duplicate_of) if submission.duplicate_of else None
    if result["status"] != "completed":
        reason = result.get("failure_reason") or (
            f"processing ended as {execution.status if execution else 'unknown'}."
        )
        raise _fail(reason)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    _print_human(result)


def _print_human(result: dict) -> None:
    note = f" (same content as session {result['duplicate_of']})" if result["duplicate_of"] else ""
    typer.echo(f"Session {result['session_id']} from {result['source']}: {result['status']}{note}")
    typer.echo(f"Coach: {result['coach'] or 'not recognised'}; timing from {result['timing']}")
    for person in result["participants"]:
        typer.echo(
            f"  {person['name']:<30} {person['role']:<7} {person['speaking_share']:6.1%}"
            f"  {person['engagement_level']:<6} priority {person['priority_score']:.2f}"
        )


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes answering requests  [default: one per core]"),
    ] = None,
) -> None:
    """Run the platform locally: API, drop folder, embedded database."""
    from local_runtime.server import run_server

    run_server(coach_context(ctx).settings, host, port, workers)


app.add_typer(audit, name="audit")
app.add_typer(clients, name="clients")
app.add_typer(executions, name="executions")
app.add_typer(follow_ups, name="follow-ups")
app.add_typer(keys, name="keys")
app.add_typer(org, name="org")
app.add_typer(retention, name="retention")
app.add_typer(security, name="security")
app.add_typer(summaries, name="summaries")
app.add_typer(users, name="users")


if __name__ == "__main__":
    app()
