"""`coach executions`: support staff list, inspect, redrive and replay pipeline runs."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from typing import Annotated

import typer
from pydantic import BaseModel

from local_runtime.cli_context import coach_context, exit_on_coaching_error
from local_runtime.cli_progress import progress_on_stderr

executions = typer.Typer(help="Pipeline runs: list, show, redrive, replay.", no_args_is_help=True)


class Status(enum.StrEnum):
    failed = "failed"
    running = "running"
    succeeded = "succeeded"
    aborted = "aborted"


def _emit(value: BaseModel | list[BaseModel], as_json: bool, human) -> None:
    if as_json:
        data = (
            [v.model_dump(mode="json") for v in value]
            if isinstance(value, list)
            else (value.model_dump(mode="json"))
        )
        sys.stdout.write(json.dumps(data) + "\n")
    else:
        human(value)


def _guarded(action, as_json: bool, doing: str = "Reading the runs"):
    """A refusal (an unknown run, a rerun that cannot help) exits 1 with its sentence: on
    stderr, or with ``--json`` as the API's error object on stdout, as every command does.
    Meanwhile a spinner on stderr says what takes the seconds (a rerun waits for its run)."""
    with progress_on_stderr(enabled=not as_json) as step, exit_on_coaching_error(as_json):
        step(doing)
        return action()


_JSON_HELP = "Print JSON (an error too, as the API's error object)"


def _runs_table(runs) -> None:
    """Support's list: for people, which file failed where and why, and what to do next."""
    from rich.console import Console
    from rich.table import Table

    if not runs:
        typer.echo("no runs")
        return
    table = Table("Started (UTC)", "Status", "Run", "File", "Failed step", "Reason", "Next")
    for run in runs:
        table.add_row(
            f"{run.started_at:%Y-%m-%d %H:%M:%S}",
            run.status,
            run.name + _link(run),
            run.file_name or "-",
            run.failed_step or "-",
            run.reason or (run.error or "-"),
            _next_step(run),
        )
    Console(soft_wrap=False).print(table)


def _next_step(run) -> str:
    if run.redrive_helps is None:
        return ""
    return "redrive" if run.redrive_helps else "upload a fixed file"


def _link(run) -> str:
    if run.redrive_of:
        return f" (redrive of {run.redrive_of})"
    return f" (replay of {run.replay_of})" if run.replay_of else ""


def _line(run) -> str:
    link = _link(run)
    error = f"  {run.error}" if run.error else ""
    return f"{run.started_at:%Y-%m-%d %H:%M:%S}  {run.status:<9} {run.name}{link}{error}"


@executions.command(
    "list",
    epilog="Examples:\n\n  coach executions list --status failed\n\n  coach executions list "
    "--since 2026-11-01 --json",
)
def list_runs(
    ctx: typer.Context,
    status: Annotated[Status | None, typer.Option(help="Only runs with this status")] = None,
    since: Annotated[
        dt.datetime | None,
        typer.Option(help="Only runs started since (YYYY-MM-DD[THH:MM], UTC)"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many runs")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """Recent runs, newest first."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    runs = _guarded(
        lambda: _Described(ctx).list(status.value.upper() if status else None, since, limit),
        as_json,
    )
    _emit(runs, as_json, _runs_table)


_RUN_NAME = Annotated[str, typer.Argument(metavar="NAME", help="The run's name (the list's Run)")]
_EXAMPLE_RUN = "session-3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71"


@executions.command(epilog=f"Example: coach executions show {_EXAMPLE_RUN}")
def show(
    ctx: typer.Context,
    name: _RUN_NAME,
    as_json: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """One run: each state with its input, output, error and timings."""
    detail = _guarded(lambda: _Described(ctx).show(name), as_json)

    def human(run) -> None:
        typer.echo(_line(run))
        if run.file_name:
            typer.echo(f"  file: {run.file_name}")
        if run.failed_step:
            typer.echo(f"  failed at {run.failed_step}: {run.reason or run.cause}")
            typer.echo(f"  next: {_next_step(run)}")
        elif run.cause:
            typer.echo(f"  cause: {run.cause}")
        for state in run.states:
            took = (
                f"{(state.exited_at - state.entered_at).total_seconds():.3f}s"
                if state.entered_at and state.exited_at
                else "-"
            )
            error = f"  {state.error}: {state.cause}" if state.error else ""
            typer.echo(f"  {state.name:<30} {state.status:<10} {took}{error}")

    _emit(detail, as_json, human)


@executions.command(epilog=f"Example: coach executions redrive {_EXAMPLE_RUN}")
def redrive(
    ctx: typer.Context,
    name: _RUN_NAME,
    as_json: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """Resume a failed run at its failed step; results of the steps that finished are kept.
    Refused (exit 1) when the run failed on its file: upload a fixed transcript instead."""
    _emit(
        _guarded(lambda: _rerun(ctx, "redrive", name), as_json, f"Redriving {name}"),
        as_json,
        lambda r: typer.echo(_line(r)),
    )


@executions.command(epilog=f"Example: coach executions replay {_EXAMPLE_RUN}")
def replay(
    ctx: typer.Context,
    name: _RUN_NAME,
    as_json: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """Run the same input again from the start, linked to the original run."""
    _emit(
        _guarded(lambda: _rerun(ctx, "replay", name), as_json, f"Replaying {name}"),
        as_json,
        lambda r: typer.echo(_line(r)),
    )


class _Described:
    """The runs as support sees them: with file, failed step and reason (the use case)."""

    def __init__(self, ctx: typer.Context) -> None:
        platform = coach_context(ctx).platform()
        self._deps, self._support = platform.deps, platform.support()
        self._org = platform.settings.default_organization_id

    def list(self, status, since, limit):
        from coaching.usecases.execution_listing import list_runs

        return list_runs(
            self._deps, self._support, self._org, status=status, since=since, limit=limit
        )

    def show(self, name: str):
        from coaching.usecases.execution_listing import show_run

        return show_run(self._deps, self._support, self._org, name)


def _rerun(ctx: typer.Context, kind: str, name: str):
    """The CLI waits for the new run, so its status is the outcome, not 'RUNNING'."""
    from coaching.usecases.rerun import rerun_execution

    platform = coach_context(ctx).platform()
    support = platform.support()
    org = platform.settings.default_organization_id
    return support.wait_for(rerun_execution(platform.deps, support, org, name, kind).name)
