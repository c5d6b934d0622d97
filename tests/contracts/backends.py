"""The two backends every contract test runs on: the in-memory fakes and PostgreSQL.

A Backend gives the ports (by Dependencies field), and seeds or reads what lies outside them
(coaches, clients on record, follow-ups, run records; what was stored for a write-only port)
the way each backend keeps it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from coaching.adapters.postgres import (
    Database,
    PostgresCoaches,
    PostgresNotifications,
    PostgresOrganizations,
    PostgresParticipants,
    PostgresResults,
    PostgresSessions,
    PostgresStepLedger,
    PostgresTransactions,
    PostgresTranscripts,
)
from coaching.adapters.postgres.accounts import PostgresUserAccounts
from coaching.adapters.postgres.refresh_tokens import PostgresRefreshTokens
from coaching.adapters.postgres.search_indexes import PgVectorIndex, PostgresKeywordIndex
from coaching.adapters.postgres.search_store import (
    PostgresPassageStore,
    PostgresReindexCheckpoints,
)
from coaching.usecases.dependencies import CallByCall
from tests.fakes import FakeRefreshTokens, FakeUserAccounts, MemoryData, store_ports
from tests.fakes.embedder import FakeEmbedder
from tests.fakes.memory import FollowUp
from tests.fakes.search import (
    FakeKeywordIndex,
    FakePassageStore,
    FakeReindexCheckpoints,
    FakeVectorIndex,
)


class FakeBackend:
    def __init__(self) -> None:
        self.data = MemoryData()
        self.ports = store_ports(self.data) | {
            "users": FakeUserAccounts(self.data),
            "refresh_tokens": FakeRefreshTokens(self.data),
            "transactions": CallByCall(),
            "search_store": FakePassageStore(self.data),
            "vector_index": FakeVectorIndex(),
            "keyword_index": FakeKeywordIndex(),
            "reindex_checkpoints": FakeReindexCheckpoints(self.data),
        }

    def new_org(self) -> uuid.UUID:
        org = uuid.uuid4()
        self.ports["organizations"].ensure_organization(org, f"contract {org}")
        return org

    def add_coach(self, org: uuid.UUID, email: str) -> uuid.UUID:
        return self.ports["coaches"].add_coach(org, email)

    def add_client(self, org: uuid.UUID, name: str) -> uuid.UUID:
        return self.ports["participants"].add_client(org, name)

    def received_at(self, org: uuid.UUID, session_id: uuid.UUID, at: dt.datetime) -> None:
        session = self.data.sessions[(org, session_id)]
        self.data.sessions[(org, session_id)] = session.model_copy(update={"created_at": at})

    def start_run(self, org: uuid.UUID, session_id: uuid.UUID) -> None:
        self.data.running.add((org, session_id))

    def add_follow_up(self, org: uuid.UUID, session_id: uuid.UUID, client_id: uuid.UUID) -> None:
        """A follow-up drafted from a summary of ``session_id``, addressed to ``client_id``."""
        assert self.data.analyses.get((org, session_id)), "no summary to draft from"
        self.data.follow_ups.setdefault(org, []).append(FollowUp(session_id, client_id))

    def clients(self, org: uuid.UUID) -> dict[str, str]:
        return {c.name: c.status for c in self.data.clients_of(org).values()}

    def notifications(self, org: uuid.UUID, session_id: uuid.UUID) -> list[tuple]:
        rows = self.data.notifications.get((org, session_id), [])
        return [(n["kind"], n["recipient_hash"], n["message_id"]) for n in rows]

    def assign_coach(self, org: uuid.UUID, session_id: uuid.UUID, coach: uuid.UUID) -> None:
        session = self.data.sessions[(org, session_id)]
        self.data.sessions[(org, session_id)] = session.model_copy(update={"coach_id": coach})


class PostgresBackend:
    def __init__(self, database: Database) -> None:
        self.db = database
        self._runs: list[str] = []
        self.ports = {
            "organizations": PostgresOrganizations(database),
            "coaches": PostgresCoaches(database),
            "sessions": PostgresSessions(database),
            "transcripts": PostgresTranscripts(database),
            "participants": PostgresParticipants(database),
            "results": PostgresResults(database),
            "step_ledger": PostgresStepLedger(database),
            "notifications": PostgresNotifications(database),
            "users": PostgresUserAccounts(database),
            "refresh_tokens": PostgresRefreshTokens(database),
            "transactions": PostgresTransactions(database),
            "search_store": PostgresPassageStore(database),
            # The index answers for the fake embedder's vectors (384 dimensions, no HNSW
            # index of theirs: exact search, the same answers).
            "vector_index": PgVectorIndex(database, model=FakeEmbedder.model),
            "keyword_index": PostgresKeywordIndex(database),
            "reindex_checkpoints": PostgresReindexCheckpoints(database),
        }

    def _one(self, sql: str, params: tuple) -> Any:
        # Seeding as the owner: what other features would have written.
        with self.db.transaction() as conn:
            row = conn.execute(sql, params).fetchone()
        return next(iter(row.values())) if row else None

    def new_org(self) -> uuid.UUID:
        org = uuid.uuid4()
        self.ports["organizations"].ensure_organization(org, f"contract {org}")
        return org

    def add_coach(self, org: uuid.UUID, email: str) -> uuid.UUID:
        return self._one(
            "INSERT INTO coaches (organization_id, email, name) VALUES (%s, %s, %s) RETURNING id",
            (org, email, email.split("@")[0]),
        )

    def add_client(self, org: uuid.UUID, name: str) -> uuid.UUID:
        return self._one(
            "INSERT INTO clients (organization_id, name, status) VALUES (%s, %s, 'active')"
            " RETURNING id",
            (org, name),
        )

    def received_at(self, org: uuid.UUID, session_id: uuid.UUID, at: dt.datetime) -> None:
        self._one(
            "UPDATE sessions SET created_at = %s WHERE organization_id = %s AND id = %s"
            " RETURNING id",
            (at, org, session_id),
        )

    def start_run(self, org: uuid.UUID, session_id: uuid.UUID) -> None:
        name = self._one(
            "INSERT INTO executions (name, organization_id, session_id, state_machine, status,"
            " input, started_at) VALUES (%s, %s, %s, 'contract', 'RUNNING', '{}', now())"
            " RETURNING name",
            (f"contract-{uuid.uuid4()}", org, session_id),
        )
        self._runs.append(name)

    def close(self) -> None:
        """Ends the runs it started: a RUNNING record left behind is, to the next platform
        start on this database, a run a crash cut off (local_runtime/platform.py)."""
        for name in self._runs:
            self._one("DELETE FROM executions WHERE name = %s RETURNING name", (name,))

    def add_follow_up(self, org: uuid.UUID, session_id: uuid.UUID, client_id: uuid.UUID) -> None:
        made = self._one(
            "INSERT INTO follow_ups (organization_id, summary_id, client_id)"
            " SELECT %s, s.id, %s FROM summaries s JOIN client_sessions cs"
            " ON cs.id = s.client_session_id WHERE cs.session_id = %s LIMIT 1 RETURNING id",
            (org, client_id, session_id),
        )
        assert made, "no summary to draft from"

    def _all(self, sql: str, params: tuple) -> list[dict]:
        with self.db.transaction() as conn:
            return conn.execute(sql, params).fetchall()

    def clients(self, org: uuid.UUID) -> dict[str, str]:
        rows = self._all("SELECT name, status FROM clients WHERE organization_id = %s", (org,))
        return {row["name"]: row["status"] for row in rows}

    def notifications(self, org: uuid.UUID, session_id: uuid.UUID) -> list[tuple]:
        rows = self._all(
            "SELECT kind, recipient_hash, message_id FROM notifications"
            " WHERE organization_id = %s AND session_id = %s ORDER BY created_at, id",
            (org, session_id),
        )
        return [(r["kind"], r["recipient_hash"], r["message_id"]) for r in rows]

    def assign_coach(self, org: uuid.UUID, session_id: uuid.UUID, coach: uuid.UUID) -> None:
        self._one(
            "UPDATE sessions SET coach_id = %s WHERE organization_id = %s AND id = %s RETURNING id",
            (coach, org, session_id),
        )
