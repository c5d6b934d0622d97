"""A connection pool with migrations, translating driver errors into domain errors."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Protocol

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from coaching.adapters.postgres.shared_transaction import joined_transaction
from coaching.domain.errors import ConfigurationError, MigrationFailed, TransientError

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


# psycopg's default: a query run this many times on a connection is prepared server-side.
PREPARE_THRESHOLD = 5


class ConninfoSource(Protocol):
    """Where connection strings come from when they can change (a rotated secret)."""

    def conninfo(self) -> str: ...

    def refreshed(self) -> str | None:
        """A newer connection string after a failed attempt, or None if there is none."""
        ...


def _refreshing_connection(source: ConninfoSource) -> type[psycopg.Connection[Any]]:
    """Connections that, when refused, try once more with the source's refreshed conninfo.

    libpq gives no SQLSTATE for a failed connection attempt, so any failure asks the source;
    it answers None unless the credentials really changed, and the first error stands.
    """

    class RefreshingConnection(psycopg.Connection[Any]):
        @classmethod
        def connect(cls, conninfo: str = "", **kwargs: Any) -> Any:  # type: ignore[override]
            try:
                return super().connect(conninfo, **kwargs)
            except psycopg.OperationalError:
                fresh = source.refreshed()
                if fresh is None:
                    raise
                return super().connect(fresh, **kwargs)

    return RefreshingConnection


class Database:
    def __init__(
        self,
        url: str | ConninfoSource,
        *,
        max_size: int = 8,
        prepare_threshold: int | None = PREPARE_THRESHOLD,
    ) -> None:
        """``url``: a connection string, or a source of them (the secret in AWS).
        ``prepare_threshold=None``: never prepare server-side. A prepared statement is
        session state, which pins an RDS Proxy client connection to one database connection."""
        extra: dict[str, Any] = {}
        if not isinstance(url, str):
            extra = {"connection_class": _refreshing_connection(url)}
            url = url.conninfo  # type: ignore[assignment] - psycopg_pool calls it per connection
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={
                "row_factory": dict_row,
                "autocommit": False,
                "prepare_threshold": prepare_threshold,
            },
            open=True,
            **extra,
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

    def migrate(self, migrations: Traversable | None = None) -> list[str]:
        """Applies the versioned SQL files in order, once each; returns those applied now.

        One transaction under an advisory lock: concurrent migrators (two deploys, or
        `coach serve` and the deploy's custom resource) wait for each other, and a failing
        script leaves the database as it was (MigrationFailed names it). ``migrations``:
        the folder of ``NNNN_name.sql`` files, the package's own unless given (tests).
        """
        applied_now: list[str] = []
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            done = {row["version"] for row in conn.execute("SELECT version FROM schema_migrations")}
            for script in sorted(_migration_files(migrations), key=lambda item: item.name):
                version = script.name.removesuffix(".sql")
                if version in done:
                    continue
                _apply(conn, version, script.read_text(encoding="utf-8"))
                applied_now.append(version)
        return applied_now

    def check_application_role(self) -> None:
        """Fails unless an organization's transaction can run as coach_app (row-level
        security depends on it): on Aurora the migrating user is no superuser, so it must have
        been granted the role (migration 0007)."""
        try:
            with self.transaction(uuid.UUID(int=0)) as conn:
                row = conn.execute("SELECT current_user AS acting").fetchone()
        except psycopg.Error as error:
            raise ConfigurationError(
                f"Transactions cannot switch to role {APPLICATION_ROLE}: {error.sqlstate} {error}",
                hint=f"Grant {APPLICATION_ROLE} to the database user (migration 0007 does).",
            ) from error
        if row is None or row["acting"] != APPLICATION_ROLE:
            raise ConfigurationError(
                f"A scoped transaction runs as {row and row['acting']!r}, not {APPLICATION_ROLE}."
            )

    def close(self) -> None:
        self._pool.close()


def _apply(conn: psycopg.Connection, version: str, script: str) -> None:
    try:
        conn.execute(script)
        conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
    except psycopg.OperationalError:
        raise  # connection lost: transient, Database.transaction says so
    except psycopg.Error as error:
        # The server's own words (SQLSTATE and message) are about the schema, never data.
        raise MigrationFailed(version, f"{error.sqlstate or 'error'} {error}".strip()) from error


def _migration_files(folder: Traversable | None = None) -> list[Traversable]:
    folder = folder or resources.files("coaching") / "migrations"
    return [item for item in folder.iterdir() if item.name.endswith(".sql")]
