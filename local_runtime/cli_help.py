"""How `coach --help` reads: flags shown as flags, and `coach --version`."""

from __future__ import annotations

import typer


def show_flags_as_flags() -> None:
    """Typer's rich help prints a boolean flag with a type, `--json <bool>`, as if it took a
    value; a flag takes none, so none is shown (``--help`` included). Once, at import."""
    from typer.core import TyperOption

    if getattr(TyperOption, "_flags_as_flags", False):
        return
    shown_type = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx):  # type: ignore[no-untyped-def]
        return None if self.is_flag else shown_type(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    TyperOption._flags_as_flags = True  # type: ignore[attr-defined]


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("coaching-platform")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def print_version(value: bool) -> None:
    """`coach --version`: the version, then exit (eager: before any command runs)."""
    if value:
        typer.echo(f"coach {installed_version()}")
        raise typer.Exit()
