"""Embedded PostgreSQL 16 (with pgvector) from the pgserver package, data under $COACH_HOME."""

from __future__ import annotations

import threading
import warnings
from concurrent.futures import Future
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE_NAME = "coaching"


def start_embedded_postgres(pgdata: Path) -> str:
    """Starts (or joins) the server for this data folder; returns the coaching database URL.

    pgserver shares one server between processes using the same folder and stops it when
    the last of them exits, so `coach process` can run beside `coach serve`.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata.resolve(), cleanup_mode="stop")
    _ensure_database(server.get_uri("postgres"))
    return server.get_uri(DATABASE_NAME)


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
