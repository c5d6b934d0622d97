"""The one rule for pending client records a session leaves behind.

A speaker not on record becomes a pending client created by that session. When the session's
results go (compensation) or the session itself goes (deletion, retention), such a record
goes too once nothing refers to it any more: no client session, no participant, no
follow-up. Both callers use delete_session_rows, so the rule cannot drift between them.
"""

from __future__ import annotations

import logging
import uuid

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

_ORPHANED_PENDING_CLIENTS = (
    "DELETE FROM clients WHERE organization_id = %s AND status = 'pending'"
    " AND created_by_session = %s"
    " AND NOT EXISTS (SELECT 1 FROM client_sessions cs WHERE cs.client_id = clients.id)"
    " AND NOT EXISTS (SELECT 1 FROM session_participants sp WHERE sp.client_id = clients.id)"
    " AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.client_id = clients.id)"
)


def delete_orphaned_pending_clients(
    conn: psycopg.Connection, org: uuid.UUID, session_id: uuid.UUID
) -> int:
    """Deletes the pending clients ``session_id`` created that nothing refers to; how many.

    In a savepoint: a record another feature refers to (a foreign key we do not know of)
    is kept rather than failing the caller's whole transaction.
    """
    try:
        with conn.transaction():
            return conn.execute(_ORPHANED_PENDING_CLIENTS, (org, session_id)).rowcount
    except psycopg.errors.ForeignKeyViolation:
        log.warning("pending clients of session %s are referred to elsewhere: kept", session_id)
        return 0


def delete_session_rows(
    conn: psycopg.Connection,
    org: uuid.UUID,
    session_id: uuid.UUID,
    rows: list[tuple[str, sql.Composable]],
) -> dict[str, int]:
    """Deletes each table's rows of the session (children before parents: ``rows`` in that
    order, each condition taking the session id once), then the pending clients left
    orphaned; how many of each went."""
    removed: dict[str, int] = {}
    for table, condition in rows:
        cursor = conn.execute(
            sql.SQL("DELETE FROM {} WHERE organization_id = %s AND {}").format(
                sql.Identifier(table), condition
            ),
            (org, session_id),
        )
        removed[table] = cursor.rowcount
    removed["clients"] = delete_orphaned_pending_clients(conn, org, session_id)
    return removed
