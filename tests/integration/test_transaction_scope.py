"""Why RDS Proxy fits the adapter: everything it sets on a connection is transaction-scoped.

RDS Proxy hands a client connection's next transaction to any database connection unless the
session carries state (it then pins the client to one). The adapter's row-level security
(`set_config('role'|'app.organization_id', ..., true)`) and its migration lock
(`pg_advisory_xact_lock`) end with their transaction, so a committed or rolled-back scoped
transaction leaves the connection as it found it: these tests show it on one pooled connection
of the embedded PostgreSQL. With `prepare_threshold=None` (the AWS runtime's setting) no
server-side prepared statement is left either; psycopg's default prepares a query run 5 times.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from coaching.adapters.postgres import Database
from coaching.adapters.postgres.database import APPLICATION_ROLE
from coaching.composition import Ports

pytestmark = pytest.mark.integration

LAYER = Path(__file__).resolve().parents[2] / "layers" / "coaching"
# SQL that leaves session state behind (each would pin an RDS Proxy client connection).
SESSION_STATE = {
    "SET outside a transaction-local form": re.compile(
        r"execute\(\s*f?[\"']\s*SET\s(?!LOCAL)", re.I
    ),
    "session-level advisory lock": re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\("),
    "set_config for the session": re.compile(r"set_config\([^)]*\bfalse\s*\)", re.I),
    "LISTEN": re.compile(r"[\"']\s*LISTEN\s"),
    "prepared statement": re.compile(r"[\"']\s*(PREPARE|DEALLOCATE|DISCARD)\s"),
    "temporary table": re.compile(r"CREATE\s+TEMP", re.I),
    "holdable cursor": re.compile(r"WITH\s+HOLD", re.I),
    "sequence function": re.compile(r"\b(nextval|setval|currval)\s*\("),
}
LEFT_BEHIND = """
    SELECT pg_backend_pid() AS backend,
           current_user AS acting,
           session_user AS signed_in,
           current_setting('role') AS role,
           coalesce(current_setting('app.organization_id', true), '') AS organization,
           (SELECT count(*) FROM pg_locks
             WHERE pid = pg_backend_pid() AND locktype = 'advisory') AS advisory_locks,
           (SELECT count(*) FROM pg_prepared_statements) AS prepared
"""


@pytest.fixture
def one_connection(platform) -> Iterator[Database]:
    """A pool of one, so every transaction below runs on the same server connection."""
    database = Database(platform.settings.database_url, max_size=1, prepare_threshold=None)
    yield database
    database.close()


def state(database: Database) -> dict:
    with database.transaction() as conn:
        row = conn.execute(LEFT_BEHIND).fetchone()
    assert row is not None
    return row


class _Abort(Exception):
    pass


def test_a_scoped_transaction_leaves_no_role_setting_or_lock_behind(
    one_connection: Database, organization: uuid.UUID
) -> None:
    # Given a connection as the pool hands it out
    before = state(one_connection)
    assert before["acting"] == before["signed_in"] and before["organization"] == ""

    # When a transaction scoped to an organization takes the migration's kind of lock
    with one_connection.transaction(organization) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(42)")
        inside = conn.execute(LEFT_BEHIND).fetchone()

    # Then inside it ran as coach_app for that organization, holding the lock
    assert inside["acting"] == APPLICATION_ROLE
    assert inside["organization"] == str(organization)
    assert inside["advisory_locks"] == 1
    # And after the commit the same server connection is back as it was
    after = state(one_connection)
    assert after["backend"] == inside["backend"] == before["backend"]
    assert after == before


def test_a_rolled_back_scoped_transaction_leaves_nothing_behind_either(
    one_connection: Database, organization: uuid.UUID
) -> None:
    before = state(one_connection)
    with pytest.raises(_Abort), one_connection.transaction(organization) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(42)")
        raise _Abort
    assert state(one_connection) == before


def test_no_server_side_prepared_statement_is_left_with_the_aws_setting(
    platform, organization: uuid.UUID
) -> None:
    # Given the AWS runtime's database (RDS Proxy in front) and psycopg's default side by side
    aws = Ports(platform.settings.model_copy(update={"runtime": "aws"})).database
    default = Database(platform.settings.database_url, max_size=1)
    try:
        for database in (aws, default):
            # When the same query runs more often than psycopg's prepare threshold
            for _ in range(8):
                with database.transaction(organization) as conn:
                    conn.execute("SELECT count(*) FROM sessions").fetchone()
        # Then the AWS setting leaves no prepared statement (no pin); the default does
        assert state(aws)["prepared"] == 0
        assert state(default)["prepared"] > 0
    finally:
        aws.close()
        default.close()


def test_the_layer_issues_no_statement_that_leaves_session_state() -> None:
    # Given every module of the coaching package (the only code that talks to PostgreSQL)
    found = [
        f"{path.relative_to(LAYER)}: {what}"
        for path in sorted(LAYER.rglob("*.py"))
        for what, pattern in SESSION_STATE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    # Then none of them sets session state (migration SQL files run once, at deploy)
    assert found == []


def test_the_session_state_patterns_catch_what_they_name() -> None:
    # The check above is only as good as its patterns: each catches its own example.
    examples = {
        "SET outside a transaction-local form": 'conn.execute("SET search_path TO x")',
        "session-level advisory lock": "SELECT pg_advisory_lock(1)",
        "set_config for the session": "set_config('role', 'x', false)",
        "LISTEN": '"LISTEN channel"',
        "prepared statement": "'PREPARE q AS SELECT 1'",
        "temporary table": "CREATE TEMP TABLE t (x int)",
        "holdable cursor": "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
        "sequence function": "SELECT nextval('s')",
    }
    assert all(SESSION_STATE[what].search(text) for what, text in examples.items())
    # ... and not the transaction-local forms the adapter uses
    assert not any(
        p.search("set_config('role', %s, true) pg_advisory_xact_lock(1) SET LOCAL x = 1")
        for p in SESSION_STATE.values()
    )
