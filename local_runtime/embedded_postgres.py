"""Embedded PostgreSQL 16 (with pgvector) from the pgserver package, data under $COACH_HOME."""

from __future__ import annotations

import subprocess
import threading
import warnings
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

DATABASE_NAME = "coaching"
# How long a new cluster's files wait to be flushed (initdb_without_waiting_for_the_disk).
FLUSH_DELAY_SECONDS = 3


def start_embedded_postgres(pgdata: Path) -> str:
    """Starts (or joins) the server for this data folder; returns the coaching database URL.

    pgserver shares one server between processes using the same folder and stops it when
    the last of them exits, so `coach process` can run beside `coach serve`.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        initdb_without_waiting_for_the_disk()
        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata.resolve(), cleanup_mode="stop")
    _ensure_database(server.get_uri("postgres"))
    return server.get_uri(DATABASE_NAME)


def initdb_without_waiting_for_the_disk() -> None:
    """A new home's cluster is created without waiting for its files to reach the disk;
    they are flushed by a process of their own meanwhile.

    Why: initdb ends by fsyncing every file it wrote (~1,000, 38 MB), the largest part of a
    first `coach process` on a brand-new $COACH_HOME, and on a busy disk seconds of it. The
    flush (`initdb --sync-only`, what initdb would have run) goes on beside the run instead
    of before it, so only a crash of the whole machine within those moments could cost the
    new cluster, as it could before initdb returned. pgserver (pinned) creates the cluster
    through its module's ``initdb``: wrapped here, idempotently;
    tests/integration/test_embedded_postgres.py fails when that stops being the call.
    """
    from pgserver import postgres_server

    if getattr(postgres_server.initdb, "flushes_in_background", False):
        return
    create = postgres_server.initdb

    def initdb(args: list[str], pgdata: Path | None = None, **kwargs: Any) -> str:
        output = create([*args, "--no-sync"], pgdata=pgdata, **kwargs)
        if pgdata is not None:
            _flush_in_background(pgdata, kwargs.get("user"))
        return output

    initdb.flushes_in_background = True  # type: ignore[attr-defined]
    postgres_server.initdb = initdb


def _flush_in_background(pgdata: Path, user: str | None) -> subprocess.Popen:
    from pgserver._commands import POSTGRES_BIN_PATH

    # After a pause: flushed at once, the files' fsyncs queued before the new database's
    # and the migrations' commits on the same disk, and the run waited as long as before.
    flush = subprocess.Popen(  # noqa: S603 - pgserver's own initdb, on our data folder
        ["/bin/sh", "-c", 'sleep "$0" && exec "$1" --sync-only -D "$2"']
        + [str(FLUSH_DELAY_SECONDS), str(POSTGRES_BIN_PATH / "initdb"), str(pgdata)],
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
