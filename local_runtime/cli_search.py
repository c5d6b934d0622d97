"""`coach search QUERY`: the same search as POST /v1/search, as the local operator (an admin
of the default organization), as a table or one JSON object; `coach search reindex`: rebuild
the search index."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

from local_runtime.cli_context import coach_context, exit_on_coaching_error, fail
from local_runtime.cli_progress import progress_bars, progress_on_stderr
from local_runtime.cli_search_backup import add_backup_commands

if TYPE_CHECKING:
    from coaching.usecases.search_indexing import ReindexProgress


class QueryOrCommand(TyperGroup):
    """`coach search QUESTION` asks; `coach search reindex ...` (any sub-command name) runs
    that command. A first word that names no sub-command is the question's."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["query", *args]
        return super().resolve_command(ctx, args)


search = typer.Typer(
    cls=QueryOrCommand,
    help="Search every session with a question (coach search QUERY), or rebuild, back up or"
    " restore the index.",
    no_args_is_help=True,
)

_PHASES = {"sessions": "Indexing sessions", "passages": "Embedding and indexing passages"}


@search.command(
    epilog="Examples:\n\n  coach search reindex   (every organization; resumes an interrupted one)"
    "\n\n  coach search reindex --organization 3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71 --json"
)
def reindex(
    ctx: typer.Context,
    organization: Annotated[
        uuid.UUID | None,
        typer.Option("--organization", help="Only this organization's id (default: all)"),
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Start again from the first passage")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Rebuild the search index from PostgreSQL: index the sessions that have no passages,
    then give every passage a vector of the current model (where it has none, or another
    model's) and send it to the vector and keyword indexes. Interrupted, it resumes where it
    stopped the next time."""
    from coaching.ports.embedder import EmbeddingUnavailable
    from coaching.ports.search_index import SearchBackendUnavailable
    from coaching.usecases.search_indexing import reindex as rebuild

    platform = coach_context(ctx).platform()
    if organization is not None and not platform.deps.organizations.organization_exists(
        organization
    ):
        raise fail(
            f"Organization {organization} does not exist.", as_json=as_json, code="COACH_404"
        )
    try:
        with exit_on_coaching_error(as_json), _progress_bar(enabled=not as_json) as progress:
            report = rebuild(platform.deps, organization, progress, resume=not restart)
    except (EmbeddingUnavailable, SearchBackendUnavailable) as error:
        raise fail(
            f"{error} What was done is kept: run `coach search reindex` again to resume.",
            as_json=as_json,
            code="COACH_503",
        ) from None
    if as_json:
        sys.stdout.write(json.dumps(dataclasses.asdict(report)) + "\n")
        return
    resumed = " (resumed where the last run stopped)" if report.resumed else ""
    typer.echo(
        f"Reindexed {report.organizations} organization(s){resumed}: "
        f"{report.sessions_indexed} session(s) indexed, {report.passages} passage(s) sent to "
        f"the indexes, {report.embedded} embedded with {platform.deps.search.embedder.model}."
    )


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[ReindexProgress], None]]:
    """A bar per phase and organization on stderr (off for --json and when stderr is not a
    terminal: nothing to animate)."""
    with progress_bars(enabled) as show:
        yield lambda step: show(
            (step.organization_id, step.phase), _PHASES[step.phase], step.done, step.total
        )


# Who the CLI searches as: the machine's operator, an admin (machine access is an admin's).
LOCAL_OPERATOR_ID = uuid.uuid5(uuid.NAMESPACE_URL, "coach-cli:local-operator")
# The fields of a result in `--json` (the contract), in this order.
JSON_FIELDS = ("session_id", "client", "turn_index", "score", "snippet", "source", "kind", "start")


@search.command("query", epilog='Example: coach search "who struggled with delegation?" --json')
def query(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(metavar="QUERY", help="The question, in words")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=50, help="How many results")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Search every session with a question in plain words: names, dates, session types and
    "wins / challenges / action items" in it become filters."""
    from coaching.domain.errors import Unprocessable
    from coaching.domain.identity import Principal, Role
    from coaching.ports.audit import AuditEntry
    from coaching.usecases.search import SearchRequest, search

    with progress_on_stderr(enabled=not as_json) as step, exit_on_coaching_error(as_json):
        step("Starting the platform")
        platform = coach_context(ctx).platform()
        org = platform.settings.default_organization_id
        operator = Principal(user_id=LOCAL_OPERATOR_ID, organization_id=org, role=Role.ADMIN)
        text = question.strip()
        if not 1 <= len(text) <= 500:
            raise Unprocessable("Ask a question of 1 to 500 characters.")
        step("Searching")
        answer = search(
            platform.ports.search_ports,
            operator,
            SearchRequest(query=text, limit=limit),
            dt.datetime.now(dt.UTC),
        )
        results = answer["results"]
        # Audited as over REST: who searched and what it showed, never the question.
        platform.ports.audit_log.record(
            AuditEntry(
                organization_id=org,
                actor="system:coach-search",
                action="search",
                resource_type="search",
                source="cli",
                details={"count": len(results), "degraded": answer["degraded"]},
                session_ids=tuple(uuid.UUID(r["session_id"]) for r in results),
            )
        )
    if as_json:
        sys.stdout.write(json.dumps(json_answer(answer), ensure_ascii=False) + "\n")
        return
    print_results(answer)


def json_answer(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "results": [{name: result[name] for name in JSON_FIELDS} for result in answer["results"]],
        "filters": answer["filters"],
        "degraded": answer["degraded"],
    }


def print_results(answer: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    console = Console(soft_wrap=False)
    if answer["degraded"]:
        console.print(f"[yellow]answered without: {', '.join(answer['degraded'])}[/yellow]")
    for chip in answer["filters"]["understood"]:
        console.print(escape(f"filter: {chip['label']} (from “{chip['words']}”)"))
    if not answer["results"]:
        typer.echo("no results")
        return
    table = Table(expand=True)
    table.add_column("Score", no_wrap=True)
    table.add_column("Client", max_width=16)
    table.add_column("Where", max_width=28)
    table.add_column("Snippet", ratio=1, min_width=30)
    for result in answer["results"]:
        snippet = Text(result["snippet"])
        for start, end in result["highlights"]:
            snippet.stylize("bold yellow", start, end)
        table.add_row(
            f"{result['score']:.4f}",
            result["client"] or "-",
            _where(result),
            snippet,
        )
    console.print(table)


def _where(result: dict[str, Any]) -> str:
    """The file and day, then what it is and where in the recording: enough to open it."""
    place = [result["kind"].replace("_", " ")]
    if result["turn_index"] is not None:
        place.append(f"turn {result['turn_index']}")
    if result["start"] is not None:
        start = int(result["start"])
        place.append(f"at {start // 60}:{start % 60:02d}")
    day = f" ({result['session_date']})" if result["session_date"] else ""
    return f"{result['source']}{day}\n{', '.join(place)}"


add_backup_commands(search)
