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
