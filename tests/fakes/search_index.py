"""SearchIndex in memory: the entries the adapter would write, kept as dicts."""

from __future__ import annotations

import uuid

from tests.fakes.memory import MemoryData
from tests.fakes.results import client_analyses


class FakeSearchIndex:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def index_session(self, org: uuid.UUID, session_id: uuid.UUID) -> int:
        entries = [
            {"client_name": client, "kind": kind, "content": item.text, "evidence": item.evidence}
            for client, analysis in client_analyses(self.data, org, session_id).items()
            for kind, items in analysis.summary
            for item in items
        ]
        session = self.data.sessions.get((org, session_id))
        if session is not None and session.session_summary:
            entries.append(
                {
                    "client_name": None,
                    "kind": "session_summary",
                    "content": session.session_summary,
                    "evidence": [],
                }
            )
        self.data.search_documents[(org, session_id)] = entries
        return len(entries)
