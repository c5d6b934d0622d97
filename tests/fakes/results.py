"""Results in memory: each client's analysis, linked to the client record as stored."""

from __future__ import annotations

import datetime as dt
import uuid

from coaching.domain.errors import NotFound
from coaching.domain.reruns import ReviewedWords
from coaching.domain.results import ClientAnalysis
from tests.fakes.memory import MemoryData


class FakeResults:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def save_client_analysis(
        self, org: uuid.UUID, session_id: uuid.UUID, client_name: str, analysis: ClientAnalysis
    ) -> None:
        key = (org, session_id)
        participant = next(
            (p for p in self.data.participants.get(key, []) if p.stats.name == client_name), None
        )
        if participant is None or participant.client_id is None:
            raise NotFound(f"{client_name} is not a client of session {session_id}.")
        # The column keeps two decimals (DECIMAL(3,2)).
        stored = analysis.model_copy(
            deep=True, update={"priority_score": round(analysis.priority_score, 2)}
        )
        self.data.analyses.setdefault(key, {})[participant.client_id] = stored

    def load_client_analyses(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> dict[str, ClientAnalysis]:
        return client_analyses(self.data, org, session_id)

    def previous_commitments(
        self, org: uuid.UUID, session_id: uuid.UUID, client_name: str
    ) -> list[str]:
        data = self.data
        me = next(
            (
                p
                for p in data.participants.get((org, session_id), [])
                if p.stats.name == client_name
            ),
            None,
        )
        this = data.sessions.get((org, session_id))
        if me is None or me.client_id is None or this is None:
            return []
        earlier = [
            (_when(session), analyses[me.client_id])
            for (o, other), analyses in data.analyses.items()
            if o == org and other != session_id and me.client_id in analyses
            for session in [data.sessions[(org, other)]]
            if session.processing_status != "failed" and _when(session) < _when(this)
        ]
        if not earlier:
            return []
        _, latest = max(earlier, key=lambda pair: pair[0])
        return [item.text for item in latest.summary.action_items]

    def discard_results(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        key = (org, session_id)
        data = self.data
        notices = data.notifications.get(key, [])
        kept = [n for n in notices if n["kind"] == "failure"]
        data.notifications[key] = kept
        analyses = data.analyses.pop(key, {})
        # Follow-ups go with their summaries (ON DELETE CASCADE), uncounted.
        data.follow_ups[org] = [
            f for f in data.follow_ups.get(org, []) if f.session_id != session_id
        ]
        removed = {
            "search_passages": len(data.search_passages.pop(key, {})),
            "notifications": len(notices) - len(kept),
            "summaries": len(analyses),
            "client_sessions": len(analyses),
            "session_participants": len(data.participants.pop(key, [])),
        }
        removed["clients"] = data.delete_orphaned_pending_clients(org, session_id)
        return removed

    def reviewed_words(self, org: uuid.UUID, session_id: uuid.UUID) -> ReviewedWords:
        # Memory keeps no revisions or approvals: only follow-ups' statuses count here.
        sent = [
            f
            for f in self.data.follow_ups.get(org, [])
            if f.session_id == session_id and f.status in ("sending", "sent")
        ]
        return ReviewedWords(sent_follow_ups=len(sent))


def client_analyses(
    data: MemoryData, org: uuid.UUID, session_id: uuid.UUID
) -> dict[str, ClientAnalysis]:
    """By speaker name, as the adapter's join of analyses and participants gives them."""
    key = (org, session_id)
    analyses = data.analyses.get(key, {})
    return {
        p.stats.name: analyses[p.client_id].model_copy(deep=True)
        for p in data.participants.get(key, [])
        if p.client_id in analyses
    }


def _when(session) -> tuple[dt.date, dt.datetime]:
    """A session's place in time, as the adapter orders them: its date, else the day it came."""
    created = session.created_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    return (session.session_date or created.date(), created)
