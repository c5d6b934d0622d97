"""Open WebSocket connections of the local runtime, in PostgreSQL so that every process
(`coach serve`, `coach process`) sees the same ones."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database


class PostgresSocketConnections:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, org: uuid.UUID, connection_id: str) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO socket_connections (connection_id, organization_id) VALUES (%s, %s)"
                " ON CONFLICT (connection_id)"
                " DO UPDATE SET organization_id = EXCLUDED.organization_id",
                (connection_id, org),
            )

    def remove(self, connection_id: str) -> None:
        # Unscoped: a disconnect (or a gone connection) names only the connection, no org.
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM socket_connections WHERE connection_id = %s", (connection_id,)
            )

    def of(self, org: uuid.UUID) -> list[str]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT connection_id FROM socket_connections WHERE organization_id = %s"
                " ORDER BY connected_at, connection_id",
                (org,),
            ).fetchall()
        return [row["connection_id"] for row in rows]

    def clear(self) -> int:
        """At `coach serve` start: connections of an earlier server are all gone."""
        # Unscoped: the earlier server's connections of every organization.
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM socket_connections").rowcount
