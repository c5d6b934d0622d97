"""One in-memory fake per port, sharing one MemoryData as the adapters share one database.

Each passes the same contract tests as its PostgreSQL adapter (tests/contracts/), so the use
cases' unit tests can run on them without PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from coaching.analysis.offline import OfflineAnalyzer
from coaching.ports.embedder import Embedder
from coaching.ports.search_index import SearchServices
from coaching.usecases.dependencies import Dependencies
from tests.fakes.coaches import FakeCoaches
from tests.fakes.memory import MemoryData
from tests.fakes.notifications import FakeNotifications
from tests.fakes.objects import MemoryObjects
from tests.fakes.organizations import FakeOrganizations
from tests.fakes.outbox import FakeMailer, FakeSockets
from tests.fakes.participants import FakeParticipants
from tests.fakes.refresh_tokens import FakeRefreshTokens
from tests.fakes.results import FakeResults
from tests.fakes.search import (
    FakeKeywordIndex,
    FakePassageStore,
    FakeReindexCheckpoints,
    FakeVectorIndex,
    SwitchableEmbedder,
)
from tests.fakes.sessions import FakeSessions
from tests.fakes.step_ledger import FakeStepLedger
from tests.fakes.transcripts import FakeTranscripts
from tests.fakes.user_accounts import FakeUserAccounts

__all__ = [
    "FakeCoaches",
    "FakeMailer",
    "FakeNotifications",
    "FakeOrganizations",
    "FakeParticipants",
    "FakeRefreshTokens",
    "FakeResults",
    "FakeKeywordIndex",
    "FakePassageStore",
    "FakeReindexCheckpoints",
    "FakeVectorIndex",
    "FakeSessions",
    "FakeSockets",
    "FakeStepLedger",
    "FakeTranscripts",
    "FakeUserAccounts",
    "MemoryData",
    "MemoryObjects",
    "fake_dependencies",
    "fake_search",
    "store_ports",
]


def store_ports(data: MemoryData) -> dict[str, Any]:
    """The fakes of the session pipeline's storage ports, by Dependencies field."""
    return {
        "organizations": FakeOrganizations(data),
        "coaches": FakeCoaches(data),
        "sessions": FakeSessions(data),
        "transcripts": FakeTranscripts(data),
        "participants": FakeParticipants(data),
        "results": FakeResults(data),
        "step_ledger": FakeStepLedger(data),
        "notifications": FakeNotifications(data),
    }


def fake_dependencies(data: MemoryData | None = None, **overrides: Any) -> Dependencies:
    """Dependencies on fakes only (the offline analyzer is real: it is pure Python)."""
    data = data or MemoryData()
    ports = store_ports(data) | {
        "search": fake_search(data),
        "reindex_checkpoints": FakeReindexCheckpoints(data),
        "objects": MemoryObjects(),
        "analyzer": OfflineAnalyzer(),
        "mailer": FakeMailer(),
        "coach_email": "coach@example.com",
        "coach_name": None,
        "review_base_url": "https://review.example.com",
        "max_transcript_bytes": 1024 * 1024,
        "sockets": FakeSockets(),
    }
    return Dependencies(**(ports | overrides))


def fake_search(data: MemoryData, embedder: Embedder | None = None) -> SearchServices:
    """The search ports in memory: the store on ``data``, indexes of their own, and an
    embedder (default: the fake bag-of-words one, which a test can take down)."""
    return SearchServices(
        store=FakePassageStore(data),
        vectors=FakeVectorIndex(),
        keywords=FakeKeywordIndex(),
        embedder=embedder or SwitchableEmbedder(),
    )
