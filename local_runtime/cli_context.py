"""What every `coach` command receives as Typer's context object: the settings, read once in
the CLI's callback, and the local platform (its ports) built from them at most once."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import typer
from typer import TyperException
from typer.core import TyperGroup

if TYPE_CHECKING:
    from coaching.composition import Ports
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


@contextmanager
def deployed_ports(settings: Settings) -> Iterator[Ports]:
    """The deployed platform's ports (COACH_RUNTIME=aws: Cognito, the deployed database),
    closed when the command is done with them."""
    from coaching.composition import build_ports

    ports = build_ports(settings)
    try:
        yield ports
    finally:
        ports.close()


# Exit codes, the same for every `coach` command (the README lists them).
EXIT_OK = 0
EXIT_REFUSED = 1  # bad input, or what the command was asked cannot be done (the message says why)
EXIT_USAGE = 2  # a wrong option or argument (Click's own code)


def fail(
    message: str,
    *,
    as_json: bool = False,
    code: str = "COACH_400",
    details: dict | None = None,
    exit_code: int = EXIT_REFUSED,
) -> typer.Exit:
    """Says why a command stopped, and returns the exit to raise: one line on stderr, or with
    ``--json`` one error object on stdout in the API's error shape (scripts read stdout)."""
    if as_json:
        import json

        from coaching.api.errors import error_body

        sys.stdout.write(json.dumps(error_body(code, message, details), ensure_ascii=False) + "\n")
    else:
        typer.echo(f"error: {message}", err=True)
    return typer.Exit(exit_code)


@contextmanager
def exit_on_coaching_error(as_json: bool = False) -> Iterator[None]:
    """A domain error ends the command with its message for people, and exit code 1 (with
    ``--json``, as the API's error object on stdout)."""
    from coaching.domain.errors import CoachingError

    try:
        yield
    except CoachingError as error:
        raise fail(error.user_message(), as_json=as_json, code=error.code) from None


def new_password(given: str | None) -> str:
    """The password given, else asked for twice without echo."""
    if given is not None:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


class JsonUsageErrors(TyperGroup):
    """The `coach` group: with ``--json`` on the command line, wrong usage (exit 2: a bad
    option value, a missing argument) is the API's error object on stdout too, not Click's
    text on stderr, so a script always reads its answer from stdout."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode or "--json" not in argv:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            # Not standalone: a usage error is raised here rather than printed.
            outcome = super().main(argv, prog_name, complete_var, False, **extra)
        except typer.Abort:
            sys.exit(EXIT_REFUSED)
        except TyperException as error:  # Click's usage errors, as Typer ships Click
            raise SystemExit(
                fail(error.format_message(), as_json=True, exit_code=error.exit_code).exit_code
            ) from None
        sys.exit(outcome if isinstance(outcome, int) else EXIT_OK)
