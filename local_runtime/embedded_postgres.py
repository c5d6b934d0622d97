"""Embedded PostgreSQL 16 (with pgvector) from the pgserver package, data under $COACH_HOME."""

from __future__ import annotations

import warnings
from pathlib import Path

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
    # pgserver runs psql with the text: composed (and quoted) by psycopg all the same.
    exists = server.psql(
        sql.SQL("SELECT 1 FROM pg_database WHERE datname = {};")
        .format(sql.Literal(DATABASE_NAME))
        .as_string()
    )
    if "(1 row)" not in exists:
        server.psql(
            sql.SQL("CREATE DATABASE {};").format(sql.Identifier(DATABASE_NAME)).as_string()
        )
    return server.get_uri(DATABASE_NAME)
