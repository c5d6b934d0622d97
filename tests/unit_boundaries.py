"""What tests/unit may not reach: another process (subprocess, os.system, fork, exec, spawn)
or the embedded PostgreSQL. tests/unit/conftest.py switches these guards on for each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import local_runtime.embedded_postgres
import local_runtime.platform

# Python's audit events for starting another program: one hook catches every route,
# `from subprocess import Popen` and multiprocessing included.
_PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.fork")
_PROCESS_EVENT_PREFIXES = ("os.exec", "os.forkpty", "pty.spawn")
_guarding = False


class UnitTestBoundary(RuntimeError):
    """A unit test reached for something only integration tests may use."""


def _refuse_processes(event: str, args: tuple) -> None:
    if _guarding and (event in _PROCESS_EVENTS or event.startswith(_PROCESS_EVENT_PREFIXES)):
        raise UnitTestBoundary(f"unit tests start no process ({event}): move it to integration")


# An audit hook cannot be removed: it stays, and does nothing outside a guarded test.
sys.addaudithook(_refuse_processes)


_start_embedded_postgres = local_runtime.embedded_postgres.start_embedded_postgres


def _guarded_start_embedded_postgres(*args, **kwargs):
    if _guarding:
        raise UnitTestBoundary("unit tests start no PostgreSQL: use a fake or move to integration")
    return _start_embedded_postgres(*args, **kwargs)


# Wrapped for good, like the hook, where it is looked up: its module and the platform's.
local_runtime.embedded_postgres.start_embedded_postgres = _guarded_start_embedded_postgres
local_runtime.platform.start_embedded_postgres = _guarded_start_embedded_postgres


@contextmanager
def unit_boundaries() -> Iterator[None]:
    global _guarding
    _guarding = True
    try:
        yield
    finally:
        _guarding = False
