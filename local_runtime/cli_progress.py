"""A progress indicator on stderr for work that takes seconds (starting the platform,
processing a transcript): never on stdout, and off for `--json`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_on_stderr(enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """Yields ``step(description)``: the spinner says what is happening now, with the time
    it has taken. Gone when the block ends (the report follows on stdout)."""
    from rich.console import Console

    console = Console(stderr=True)
    # Not a terminal (a log file, a pipe): nothing to animate, and nothing written.
    if not enabled or not console.is_terminal:
        yield lambda description: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Starting", total=None)

        def step(description: str) -> None:
            bar.update(task, description=description)

        yield step


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Callable[[object, str, int, int], None]]:
    """``show(key, description, done, total)`` draws one bar per key on stderr (nothing for
    --json or when stderr is not a terminal)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda key, description, done, total: None
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
        tasks: dict[object, object] = {}

        def show(key: object, description: str, done: int, total: int) -> None:
            if key not in tasks:
                tasks[key] = bar.add_task(description, total=total)
            bar.update(tasks[key], completed=done, total=total)  # type: ignore[arg-type]

        yield show
