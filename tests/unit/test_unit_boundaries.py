"""The unit suite's own boundaries hold: no process, no PostgreSQL, no network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_socket import SocketBlockedError

from local_runtime import embedded_postgres, platform
from tests.unit_boundaries import UnitTestBoundary


def test_starting_a_subprocess_is_refused():
    with pytest.raises(UnitTestBoundary, match="integration"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)  # noqa: S603


def test_os_level_process_starts_are_refused_too():
    with pytest.raises(UnitTestBoundary):
        os.system("true")  # noqa: S605, S607
    with pytest.raises(UnitTestBoundary):
        os.posix_spawn(sys.executable, [sys.executable, "-c", "pass"], os.environ)


def test_the_embedded_postgresql_is_never_started(tmp_path: Path):
    with pytest.raises(UnitTestBoundary, match="PostgreSQL"):
        embedded_postgres.start_embedded_postgres(tmp_path / "pgdata")


def test_a_local_platform_cannot_start_its_database(tmp_path: Path):
    # The name start_local_platform calls, bound when local_runtime.platform was imported.
    with pytest.raises(UnitTestBoundary, match="PostgreSQL"):
        platform.start_embedded_postgres(tmp_path / "pgdata")


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_sockets_are_refused():
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
