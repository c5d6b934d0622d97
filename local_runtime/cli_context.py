"""What every `coach` command receives as Typer's context object: the settings, read once in
the CLI's callback, and the local platform (its ports) built from them at most once."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import typer

if TYPE_CHECKING:
    from coaching.config import Settings
    from local_runtime.platform import LocalPlatform


@dataclass
class CoachContext:
    settings: Settings
    _platform: LocalPlatform | None = field(default=None, init=False, repr=False)

    def platform(
        self, log_level: str = "ERROR", embedded_database: Future[str] | None = None
    ) -> LocalPlatform:
        """The local platform over these settings, started by the first command that asks."""
        if self._platform is None:
            # Imported here: `coach <command> --help` should not load the platform.
            from local_runtime.platform import start_local_platform

            self._platform = start_local_platform(
                self.settings, log_level=log_level, embedded_database=embedded_database
            )
        return self._platform

    def close(self) -> None:
        """Closes the platform's database pool, if a command started it."""
        if self._platform is not None:
            self._platform.close()
            self._platform = None


def read_settings(ctx: typer.Context) -> None:
    """The `coach` callback: the one place a command's settings are read. The platform a
    command starts is closed when the command ends (in tests, many run in one process)."""
    from coaching.config import get_settings

    context = ctx.find_object(CoachContext)
    if context is None:
        context = ctx.obj = CoachContext(get_settings())
    ctx.call_on_close(context.close)


def coach_context(ctx: typer.Context) -> CoachContext:
    """The context object the `coach` callback made (a sub-command group invoked on its own,
    without `coach` above it: made here, the same way)."""
    if ctx.find_object(CoachContext) is None:
        read_settings(cast("typer.Context", ctx.find_root()))
    found = ctx.find_object(CoachContext)
    assert found is not None
    return found
