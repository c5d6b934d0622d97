"""Dropping files as a coach's editor does, and waiting for the drop folder to act."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

DEADLINE_SECONDS = 60.0
POLL_SECONDS = 0.05


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(POLL_SECONDS)
    pytest.fail(f"timed out after {DEADLINE_SECONDS:.0f} s waiting for {what}")


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def drop(folder: Path, name: str, data: bytes) -> None:
    """As an editor saves it: written aside, then renamed into the folder in one step."""
    part = folder / f"{name}.part"
    part.write_bytes(data)
    part.rename(folder / name)
