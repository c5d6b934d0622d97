"""A connection pool with migrations, translating driver errors into domain errors."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from importlib import resources

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from coaching.adapters.postgres.shared_transaction import joined_transaction
from coaching.domain.errors import TransientError

# Any constant works; it only has to be the same for every process migrating this database.
_MIGRATION_LOCK = 7_401_151

# The role row-level security restricts (migration 0007); the connecting user is the owner.
APPLICATION_ROLE = "coach_app"


def scope_to_organization(conn: psycopg.Connection, org: uuid.UUID) -> None:
    """Until the transaction ends, rows of other organizations are invisible (RLS).

    The owner (and a superuser, as embedded PostgreSQL connects) bypasses row-level security,
    so the transaction switches to the restricted role. Both settings are transaction-local:
    the pooled connection goes back as the owner, with no organization set.
    """
    conn.execute(
        "SELECT set_config('role', %s, true), set_config('app.organization_id', %s, true)",
        (APPLICATION_ROLE, str(org)),
    )


class Database:
    def __init__(self, url: str, *, max_size: int = 8) -> None:
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"row_factory": dict_row, "autocommit": False},
            open=True,
        )

    @contextlib.contextmanager
    def transaction(self, org: uuid.UUID | None = None) -> Iterator[psycopg.Connection]:
        """A connection in a transaction: committed on success, rolled back on error.

        Given the organization, the transaction is scoped to it (row-level security's second
        wall, see migration 0007); without, it is a system task across organizations.
        Inside a step's shared transaction for the same organization (shared_transaction.py),
        this is that one: it ends with the step.
        """
        shared = joined_transaction(self, org)
        if shared is None:
            with self.new_transaction(org) as conn:
                yield conn
            return
        try:
            yield shared.connection()
        except psycopg.OperationalError as error:
            raise TransientError("The database is unavailable, retrying later.") from error

    @contextlib.contextmanager
    def new_transaction(self, org: uuid.UUID | None = None) -> Iterator[psycopg.Connection]:
        """A transaction of its own (as ``transaction``), never joining a shared one."""
        try:
            # A Transaction block forbids an explicit commit(), which would otherwise end the
            # scope and run the remaining statements as the unrestricted owner.
            with self._pool.connection() as conn, conn.transaction():
                if org is not None:
                    scope_to_organization(conn, org)
                yield conn
        except psycopg.OperationalError as error:
            # Connection loss and time-outs are worth a retry by the saga.
            raise TransientError("The database is unavailable, retrying later.") from error

    def migrate(self) -> list[str]:
        """Applies the versioned SQL files in order, once each; returns those applied now."""
        applied_now: list[str] = []
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            done = {row["version"] for row in conn.execute("SELECT version FROM schema_migrations")}
            for script in sorted(_migration_files(), key=lambda item: item.name):
                version = script.name.removesuffix(".sql")
                if version in done:
                    continue
                conn.execute(script.read_text(encoding="utf-8"))
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
                applied_now.append(version)
        return applied_now

    def close(self) -> None:
        self._pool.close()


def _migration_files():
    folder = resources.files("coaching") / "migrations"
    return [item for item in folder.iterdir() if item.name.endswith(".sql")]
