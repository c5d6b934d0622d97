"""The `coach` command: run the platform locally and process transcripts."""

from __future__ import annotations

import atexit
import datetime as dt
import enum
import gc
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coaching.parsing.messages import FORMAT_LABELS, FORMAT_NAMES
from local_runtime.cli_audit import audit
from local_runtime.cli_clients import clients
from local_runtime.cli_context import (
    CoachContext,
    JsonUsageErrors,
    coach_context,
    exit_on_coaching_error,
    fail,
    read_settings,
)
from local_runtime.cli_executions import executions
from local_runtime.cli_export import export
from local_runtime.cli_export_jobs import register as add_export_jobs
from local_runtime.cli_follow_ups import follow_ups
from local_runtime.cli_help import print_version, show_flags_as_flags
from local_runtime.cli_keys import keys
from local_runtime.cli_org import org
from local_runtime.cli_progress import progress_on_stderr
from local_runtime.cli_retention import retention
from local_runtime.cli_search import search
from local_runtime.cli_security import security
from local_runtime.cli_sessions import sessions
from local_runtime.cli_summaries import summaries
from local_runtime.cli_users import users
from local_runtime.process_input import InputRefused, read_transcript_file
from local_runtime.process_report import (
    add_priority_reasons,
    duplicate_warning,
    print_report,
    session_warnings,
)

if TYPE_CHECKING:
    from coaching.ports.workflow import ExecutionResult
    from coaching.usecases.submit_transcript import Submission
    from local_runtime.platform import LocalPlatform

# At exit the interpreter's last collections walk every object the platform loaded, half a
# second of CPU after a one-shot command has printed its result. Frozen objects are skipped;
# atexit handlers (the embedded database's stop) and finalizers still run.
atexit.register(gc.freeze)

show_flags_as_flags()

app = typer.Typer(
    cls=JsonUsageErrors,
    help="Coaching platform: process session transcripts and run the platform locally.",
    epilog="Example: coach process session.vtt --type group --date 2026-11-26. Exit codes: "
    "0 done, 1 refused or failed (the message says why), 2 wrong usage.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _settings(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=print_version,
            is_eager=True,
            help="Print the installed version and exit",
        ),
    ] = False,
) -> None:
    # Settings are read here, once per command, and handed down in ctx.obj (CoachContext).
    read_settings(ctx)


class SessionKind(enum.StrEnum):
    group = "group"
    individual = "individual"


# The --format choices: the parsing registry's names, whatever it reads next.
SourceFormat = enum.StrEnum(  # type: ignore[misc]
    "SourceFormat", [(name, name) for name in FORMAT_NAMES]
)
_FORMATS_READ = "; ".join(FORMAT_LABELS.values())


@app.command(
    epilog="Examples:\n\n  coach process session.vtt\n\n  coach process call.docx --type "
    "individual --date 2026-11-26 --coach-email coach@example.com --json\n\n  coach process "
    "session.vtt --type group --reprocess   (the same file again, with new options)",
)
def process(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help=f"The transcript. Formats read (detected from the content): {_FORMATS_READ}",
            show_default=False,
        ),
    ],
    session_type: Annotated[
        SessionKind | None, typer.Option("--type", help="group, or individual (a 1:1)")
    ] = None,
    date: Annotated[
        dt.datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="The session's date (resolves due dates such as 'by Friday')",
        ),
    ] = None,
    coach: Annotated[
        str | None, typer.Option("--coach", help="The coach's name as in the transcript")
    ] = None,
    coach_email: Annotated[
        str | None,
        typer.Option(
            "--coach-email",
            help="Whose session it is: the coach account with this email  \\[default: the "
            "account of COACH_COACH_EMAIL]",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (an error too, as JSON)")
    ] = False,
    turns: Annotated[
        bool, typer.Option("--turns", help="With --json: every turn, labelled")
    ] = False,
    source_format: Annotated[
        SourceFormat | None,  # type: ignore[valid-type]
        typer.Option("--format", help="Force a format instead of detecting it"),
    ] = None,
    reprocess: Annotated[
        bool,
        typer.Option(
            "--reprocess",
            help="Content processed before: apply --type, --date and --coach to that session "
            "and analyse it again",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show step logs")] = False,
) -> None:
    """Run the session pipeline on FILE and print a report: participants, each client's
    summary, the overview, priorities with their reasons, and warnings."""
    cli = coach_context(ctx)
    hint = source_format.value if source_format is not None else None
    # The file is checked before anything starts: a bad one is refused at once.
    try:
        data = read_transcript_file(file, cli.settings.max_transcript_mb * 1024 * 1024, hint)
    except InputRefused as refused:
        raise fail(refused.message, as_json=as_json, code=refused.code) from None
    requested: dict[str, Any] = {
        "session_type": session_type.value if session_type else None,
        "session_date": date.date().isoformat() if date else None,
        "coach": coach,
    }
    with progress_on_stderr(enabled=not as_json) as step, exit_on_coaching_error(as_json):
        step("Starting the platform")
        platform = _start(cli, verbose)
        coach_id = _session_coach(platform, coach_email, as_json)
        step(f"Processing {file.name}")
        submission, execution = _process(platform, data, file.name, requested, coach_id, hint)
        reprocessed = reprocess and submission.duplicate_of is not None
        if reprocessed:
            step(f"Analysing session {submission.session_id} again")
            execution = _reprocess(platform, submission.session_id, requested, hint)
        result = _results(platform, submission, requested, reprocessed, turns)
    if result["status"] != "completed":
        reason = result.get("failure_reason") or (
            f"processing ended as {execution.status if execution else 'unknown'}."
        )
        details = {
            "session_id": result["session_id"],
            "failed_step": result.get("failed_step"),
            "execution": result.get("execution"),
        }
        raise fail(reason, as_json=as_json, code="COACH_422", details=details)
    if coach_id is not None and result["coach_id"] != str(coach_id):
        result["warnings"].append(
            {
                "code": "other_coach",
                "message": f"Session {result['session_id']} is not the session of "
                f"{coach_email}; assign it with `coach sessions assign`.",
            }
        )
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    from rich.console import Console

    print_report(result, Console())


def _start(cli: CoachContext, verbose: bool) -> LocalPlatform:
    from local_runtime.embedded_postgres import start_in_background

    settings = cli.settings
    # The embedded database boots while the platform's modules import.
    database = None if settings.database_url else start_in_background(settings.pgdata_dir)
    return cli.platform(log_level="INFO" if verbose else "ERROR", embedded_database=database)


def _session_coach(
    platform: LocalPlatform, coach_email: str | None, as_json: bool
) -> uuid.UUID | None:
    """The coach named by --coach-email (refused when there is no such account). Without it
    None: the configured coach's (COACH_COACH_EMAIL), whose demo account is made here as
    `coach serve` makes it, so a session processed before the first `serve` is theirs too."""
    org = platform.settings.default_organization_id
    if coach_email is None:
        if platform.settings.demo_accounts:
            from local_runtime.demo_accounts import ensure_demo_accounts

            ensure_demo_accounts(platform)
        return None
    coach_id = platform.deps.coaches.coach_id_by_email(org, coach_email)
    if coach_id is None:
        raise fail(
            f"No coach account with the email {coach_email} in this organization. Add it with "
            f"`coach users add {coach_email} --name NAME --role coach`, or leave out "
            "--coach-email to use the configured coach (COACH_COACH_EMAIL).",
            as_json=as_json,
            code="COACH_404",
        )
    return coach_id


def _process(
    platform: LocalPlatform,
    data: bytes,
    name: str,
    requested: dict[str, Any],
    coach_id: uuid.UUID | None,
    hint: str | None,
) -> tuple[Submission, ExecutionResult | None]:
    from coaching.usecases.submit_transcript import process_transcript

    date = requested["session_date"]
    return process_transcript(
        platform.deps,
        platform.workflow,
        platform.settings.default_organization_id,
        data,
        name,
        coach_id=coach_id,
        session_type=requested["session_type"],
        session_date=dt.date.fromisoformat(date) if date else None,
        coach_name=requested["coach"],
        format_hint=hint,
    )


def _reprocess(
    platform: LocalPlatform,
    session_id: uuid.UUID,
    requested: dict[str, Any],
    hint: str | None,
) -> ExecutionResult:
    from coaching.usecases.reprocess import reprocess_session

    date = requested["session_date"]
    name = reprocess_session(
        platform.deps,
        platform.workflow,
        platform.settings.default_organization_id,
        session_id,
        session_type=requested["session_type"],
        session_date=dt.date.fromisoformat(date) if date else None,
        coach_name=requested["coach"],
        format_hint=hint,
    )
    return platform.workflow.wait(name)


def _results(
    platform: LocalPlatform,
    submission: Submission,
    requested: dict[str, Any],
    reprocessed: bool,
    turns: bool,
) -> dict[str, Any]:
    """The session's results, with what the CLI adds (in --json too): the earlier session of
    the same content, each client's priority reasons, and warnings."""
    from coaching.usecases.session_results import session_results

    org = platform.settings.default_organization_id
    result = session_results(platform.deps, org, submission.session_id, include_turns=turns)
    result["duplicate_of"] = str(submission.duplicate_of) if submission.duplicate_of else None
    if result["status"] != "completed":
        return result
    add_priority_reasons(result)
    duplicate = duplicate_warning(result, requested, reprocessed)
    result["warnings"] = [duplicate] if duplicate else []
    result["warnings"] += session_warnings(result, platform.settings.coach_email)
    return result


@app.command(
    epilog="Examples:\n\n  coach serve\n\n  COACH_HOME=~/coaching coach serve --port 8080"
    "\n\n  coach serve --dropbox ~/Transcripts",
)
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes answering requests  \\[default: one per core]"),
    ] = None,
    dropbox: Annotated[
        Path | None,
        typer.Option(
            "--dropbox",
            help="The drop folder to watch  \\[default: COACH_DROPBOX, else $COACH_HOME/dropbox "
            "when COACH_HOME is set, else ./dropbox]",
        ),
    ] = None,
) -> None:
    """Run the platform locally: API, drop folder, embedded database."""
    from local_runtime.server import run_server

    settings = coach_context(ctx).settings
    if dropbox is not None:
        settings = settings.model_copy(update={"dropbox": dropbox})
    run_server(settings, host, port, workers)


app.add_typer(audit, name="audit")
app.add_typer(clients, name="clients")
app.add_typer(executions, name="executions")
add_export_jobs(export)  # `coach export schedule` and `list` (x17-api)
app.add_typer(export, name="export")
app.add_typer(follow_ups, name="follow-ups")
app.add_typer(keys, name="keys")
app.add_typer(org, name="org")
app.add_typer(retention, name="retention")
app.add_typer(search, name="search")
app.add_typer(security, name="security")
app.add_typer(sessions, name="sessions")
app.add_typer(summaries, name="summaries")
app.add_typer(users, name="users")


if __name__ == "__main__":
    app()
