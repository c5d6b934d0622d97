"""Open WebSocket connections of the local runtime, and whose they are, in PostgreSQL so that
every process (`coach serve`, `coach process`) sees the same ones."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from coaching.adapters.postgres.database import Database
from coaching.domain.identity import Principal, Role
from coaching.ports.sockets import SocketConnection, Subscription

_COLUMNS = (
    "connection_id, organization_id, user_id, role, coach_id, subscribed_at, subscribed_session_id,"
    " extract(epoch FROM connected_at)::float8 AS connected_epoch"
)


class PostgresSocketConnections:
    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, for the per-second message count (a test's)."""
        self._db = database
        self._clock = clock

    def add(self, connection: SocketConnection) -> None:
        owner = connection.principal
        with self._db.transaction(owner.organization_id) as conn:
            conn.execute(
                "INSERT INTO socket_connections"
                " (connection_id, organization_id, user_id, role, coach_id)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (connection_id) DO UPDATE SET"
                " organization_id = EXCLUDED.organization_id, user_id = EXCLUDED.user_id,"
                " role = EXCLUDED.role, coach_id = EXCLUDED.coach_id",
                (
                    connection.connection_id,
                    owner.organization_id,
                    owner.user_id,
                    owner.role.value,
                    owner.coach_id,
                ),
            )

    def remove(self, connection_id: str) -> None:
        # Unscoped: a disconnect (or a gone connection) names only the connection, no org.
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM socket_connections WHERE connection_id = %s", (connection_id,)
            )

    def of(self, org: uuid.UUID) -> list[SocketConnection]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM socket_connections"  # noqa: S608 - constant columns
                " WHERE organization_id = %s ORDER BY connected_at, connection_id",
                (org,),
            ).fetchall()
        return [_connection(row) for row in rows]

    def of_user(self, org: uuid.UUID, user_id: uuid.UUID) -> list[SocketConnection]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM socket_connections"  # noqa: S608 - constant columns
                " WHERE organization_id = %s AND user_id = %s ORDER BY connected_at, connection_id",
                (org, user_id),
            ).fetchall()
        return [_connection(row) for row in rows]

    def subscribed(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SocketConnection]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM socket_connections"  # noqa: S608 - constant columns
                " WHERE organization_id = %s AND subscribed_at IS NOT NULL"
                " AND (subscribed_session_id IS NULL OR subscribed_session_id = %s)"
                " ORDER BY connected_at, connection_id",
                (org, session_id),
            ).fetchall()
        return [_connection(row) for row in rows]

    def get(self, connection_id: str) -> SocketConnection | None:
        # Unscoped: a message names only its connection; the row says whose it is.
        with self._db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM socket_connections"  # noqa: S608 - constant columns
                " WHERE connection_id = %s",
                (connection_id,),
            ).fetchone()
        return None if row is None else _connection(row)

    def subscribe(self, connection_id: str, subscription: Subscription) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE socket_connections SET subscribed_at = now(),"
                " subscribed_session_id = %s WHERE connection_id = %s",
                (subscription.session_id, connection_id),
            )

    def take_message(self, connection_id: str, per_second: int) -> bool:
        second = int(self._clock())
        with self._db.transaction() as conn:
            row = conn.execute(
                "UPDATE socket_connections SET window_messages = CASE"
                " WHEN window_second = %(second)s THEN window_messages + 1 ELSE 1 END,"
                " window_second = %(second)s"
                " WHERE connection_id = %(id)s RETURNING window_messages",
                {"second": second, "id": connection_id},
            ).fetchone()
        return row is None or row["window_messages"] <= per_second

    def clear(self) -> int:
        """At `coach serve` start: connections of an earlier server are all gone."""
        # Unscoped: the earlier server's connections of every organization.
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM socket_connections").rowcount


def _connection(row: dict[str, Any]) -> SocketConnection:
    subscribed = row["subscribed_at"] is not None
    return SocketConnection(
        row["connection_id"],
        Principal(
            user_id=row["user_id"],
            organization_id=row["organization_id"],
            role=Role(row["role"]),
            coach_id=row["coach_id"],
        ),
        Subscription(row["subscribed_session_id"]) if subscribed else None,
        row["connected_epoch"],
    )
