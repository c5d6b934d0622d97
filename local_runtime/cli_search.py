"""`coach search`: rebuild the search index (`reindex`). Searching itself is `coach search
QUERY` (the API part's command, on this group)."""

from __future__ import annotations

import dataclasses
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error, fail

if TYPE_CHECKING:
    from coaching.usecases.search_indexing import ReindexProgress

search = typer.Typer(help="Search: rebuild the index of every session.", no_args_is_help=True)

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
    from rich.console import Console

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda step: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[tuple[uuid.UUID, str], object] = {}

        def advance(step: ReindexProgress) -> None:
            key = (step.organization_id, step.phase)
            if key not in tasks:
                tasks[key] = bar.add_task(_PHASES[step.phase], total=step.total)
            bar.update(tasks[key], completed=step.done, total=step.total)  # type: ignore[arg-type]

        yield advance
