from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.execution_records import PostgresExecutionRecords
from coaching.adapters.postgres.session_store import PostgresSessionStore

__all__ = ["Database", "PostgresExecutionRecords", "PostgresSessionStore"]
