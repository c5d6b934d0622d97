from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.execution_records import PostgresExecutionRecords
from coaching.adapters.postgres.session_store import PostgresSessionStore
from coaching.adapters.postgres.socket_connections import PostgresSocketConnections

__all__ = [
    "Database",
    "PostgresExecutionRecords",
    "PostgresSessionStore",
    "PostgresSocketConnections",
]
