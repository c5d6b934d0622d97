"""Open WebSocket connections of the local runtime, and whose they are, in PostgreSQL so that
every process (`coach serve`, `coach process`) sees the same ones."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database
from coaching.domain.identity import Principal, Role
from coaching.ports.sockets import SocketConnection


class PostgresSocketConnections:
    def __init__(self, database: Database) -> None:
        self._db = database

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
                "SELECT connection_id, user_id, role, coach_id FROM socket_connections"
                " WHERE organization_id = %s ORDER BY connected_at, connection_id",
                (org,),
            ).fetchall()
        return [
            SocketConnection(
                row["connection_id"],
                Principal(
                    user_id=row["user_id"],
                    organization_id=org,
                    role=Role(row["role"]),
                    coach_id=row["coach_id"],
                ),
            )
            for row in rows
        ]

    def clear(self) -> int:
        """At `coach serve` start: connections of an earlier server are all gone."""
        # Unscoped: the earlier server's connections of every organization.
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM socket_connections").rowcount
