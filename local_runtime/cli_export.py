"""`coach export`: approved coaching data out as files (`run`), and the published schemas of
what goes out (`schemas`). The local operator exports as an admin of the default
organization: every coach's clients (machine access is an admin's)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from local_runtime.cli_context import EXIT_USAGE, coach_context, exit_on_coaching_error, fail
from local_runtime.cli_export_push import push

if TYPE_CHECKING:
    from coaching.usecases.export_run import ExportProgress

export = typer.Typer(
    help="Exports: sessions, clients, approved summaries and action items as files.",
    no_args_is_help=True,
)

# Who a CLI export is by, in the audit log and the run record.
CLI_ACTOR = "system:coach-export"


class ExportFormatOption(enum.StrEnum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _since(value: str | None) -> dt.datetime | None:
    """An ISO date (midnight UTC) or date and time (UTC unless it names its zone)."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO date (2026-11-01) or date and time."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@export.command(
    epilog="Examples:\n\n  coach export run --format csv --out exports/\n\n"
    "  coach export run --format parquet --out exports/ --since 2026-11-01 --json\n\n"
    "  coach export run --format csv --out hubspot/ --mapping hubspot --bom\n\n"
    "  coach export run --format csv --out exports/ --resume RUN_ID   (a failed run again)"
)
def run(  # noqa: PLR0913 - the command's options
    ctx: typer.Context,
    format: Annotated[
        ExportFormatOption, typer.Option("--format", help="json, jsonl, csv or parquet")
    ],
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="The folder the files go in")],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="ISO-DATE", help="Only what changed since (2026-11-01, UTC)"
        ),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option("--mapping", help="A field mapping: hubspot, salesforce, or one saved"),
    ] = None,
    bom: Annotated[
        bool, typer.Option("--bom", help="csv: start with a byte order mark (spreadsheets)")
    ] = False,
    include_sensitive: Annotated[
        bool,
        typer.Option(
            "--include-sensitive",
            help="Also items resting on a flagged turn (health...); audited",
        ),
    ] = False,
    resume: Annotated[
        uuid.UUID | None,
        typer.Option(
            "--resume",
            metavar="RUN_ID",
            help="Run a failed export again into the same --out, as it was first asked",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON")] = False,
) -> None:
    """Write one file per entity (sessions, clients, summaries, action_items) into --out:
    approved summaries only, never drafts; items resting on a sensitive turn only with
    --include-sensitive. Parquet writes a folder per entity, a file per month. Audited."""
    from coaching.adapters.local.export_files import LocalExportFiles
    from coaching.exports.mappings import READY_MADE
    from coaching.usecases.export_run import ExportRequest, run_export

    moment = _since(since)
    platform = coach_context(ctx).platform()
    org = platform.settings.default_organization_id
    ports = platform.ports.export_ports
    if mapping is not None and mapping not in READY_MADE:
        saved = ports.mappings.get(org, mapping) if ports.mappings else None
        if saved is None:
            known = ", ".join(sorted(READY_MADE))
            raise fail(
                f"Invalid value for '--mapping': no mapping named {mapping!r}"
                f" (ready-made: {known}; or save one of your own first).",
                as_json=as_json,
                exit_code=EXIT_USAGE,
            )
    request = ExportRequest(
        organization_id=org,
        actor=CLI_ACTOR,
        coach_ids=None,
        # The option's values are the formats.
        format=format.value,  # type: ignore[arg-type]
        since=moment,
        mapping=mapping,
        include_sensitive=include_sensitive,
        bom=bom,
        source="cli",
        run_id=resume,
    )
    with exit_on_coaching_error(as_json), _progress_bar(enabled=not as_json) as progress:
        manifest = run_export(ports, request, LocalExportFiles(out), progress)
    if as_json:
        sys.stdout.write(json.dumps(manifest.as_dict()) + "\n")
        return
    for file in manifest.files:
        typer.echo(f"{file.entity:<13} {file.rows:>8} row(s)  {out / file.path}")
    typer.echo(
        f"Exported {sum(manifest.row_counts.values())} row(s) as {format.value}, schema version"
        f" {manifest.schema_version} (run {manifest.run_id})."
    )


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[ExportProgress]:
    """A line per entity on stderr with the rows written so far (off for --json and when
    stderr is not a terminal)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:

        def quiet(entity: str, rows: int, *, done: bool = False, skipped: bool = False) -> None:
            return None

        yield quiet
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def advance(entity: str, rows: int, *, done: bool = False, skipped: bool = False) -> None:
            if entity not in tasks:
                tasks[entity] = bar.add_task(f"Exporting {entity}", total=None)
            state = " (kept from the failed run)" if skipped else ""
            description = f"Exported {entity}{state}" if done else f"Exporting {entity}"
            bar.update(tasks[entity], completed=rows, description=description)

        yield advance


@export.command(epilog="Example: coach export schemas --json")
def schemas(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """The columns of every exported entity: name, type and meaning, in file order, with
    each entity's version and the set's (the same as GET /v1/export/schemas)."""
    from coaching.exports.schemas import schemas_document

    document = schemas_document()
    if as_json:
        sys.stdout.write(json.dumps(document) + "\n")
        return
    typer.echo(f"Export schema version {document['schema_version']}")
    for entity in document["entities"]:
        typer.echo(f"\n{entity['entity']} (version {entity['version']}, key {entity['key']})")
        for column in entity["columns"]:
            flag = "  [sensitive]" if column["sensitive"] else ""
            typer.echo(f"  {column['name']:<20} {column['type']:<12} {column['description']}{flag}")


# `coach export push` (CRMs) lives in its own module; registered here, on this group.
export.command(epilog="Example: coach export push --crm hubspot --since 2026-11-01")(push)
