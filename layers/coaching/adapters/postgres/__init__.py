from coaching.adapters.postgres.coaches import PostgresCoaches
from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.execution_records import PostgresExecutionRecords
from coaching.adapters.postgres.notifications import PostgresNotifications
from coaching.adapters.postgres.organizations import PostgresOrganizations
from coaching.adapters.postgres.participants import PostgresParticipants
from coaching.adapters.postgres.results import PostgresResults
from coaching.adapters.postgres.sessions import PostgresSessions
from coaching.adapters.postgres.shared_transaction import PostgresTransactions
from coaching.adapters.postgres.socket_connections import PostgresSocketConnections
from coaching.adapters.postgres.step_ledger import PostgresStepLedger
from coaching.adapters.postgres.transcripts import PostgresTranscripts

__all__ = [
    "Database",
    "PostgresCoaches",
    "PostgresExecutionRecords",
    "PostgresNotifications",
    "PostgresOrganizations",
    "PostgresParticipants",
    "PostgresResults",
    "PostgresSessions",
    "PostgresSocketConnections",
    "PostgresStepLedger",
    "PostgresTranscripts",
    "PostgresTransactions",
]
