"""An in-memory ReviewStore for the review's use cases: one organization's summaries and
their revisions, with the adapter's revision and state checks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from coaching.domain.errors import Conflict, NotFound
from coaching.domain.review import (
    CoachVoice,
    FollowUpDraft,
    RevisionCommand,
    RevisionRecord,
    SummaryContent,
    SummaryContext,
    SummaryRecord,
)

_WORD_CHANGES = {"edit", "refine", "undo", "redo"}


class MemoryReviewStore:
    def __init__(self, org: uuid.UUID, turns: int = 20) -> None:
        self.org = org
        self.turns = set(range(turns))
        self.records: dict[uuid.UUID, SummaryRecord] = {}
        self.history: dict[uuid.UUID, list[RevisionRecord]] = {}
        # Each summary's session date; a summary not here is of a session of the day it was added.
        self.session_dates: dict[uuid.UUID, dt.date] = {}

    def add(self, content: SummaryContent, coach_id: uuid.UUID | None) -> SummaryRecord:
        now = dt.datetime.now(dt.UTC)
        record = SummaryRecord(
            id=uuid.uuid4(),
            session_id=uuid.uuid4(),
            session_coach_id=coach_id,
            client_id=uuid.uuid4(),
            client_name="Jordan Reyes",
            content=content,
            revision=0,
            edited=False,
            approved_at=None,
            created_at=now,
        )
        self.records[record.id] = record
        self.history[record.id] = [
            RevisionRecord(
                revision=0,
                command=None,
                request=None,
                author_user_id=None,
                created_at=now,
                content=content,
            )
        ]
        return record

    def get_summary(self, org: uuid.UUID, summary_id: uuid.UUID) -> SummaryRecord | None:
        return self.records.get(summary_id) if org == self.org else None

    def sensitive_turns(self, org: uuid.UUID, session_id: uuid.UUID) -> frozenset[int]:
        return frozenset()

    def summary_context(self, org: uuid.UUID, summary_id: uuid.UUID) -> SummaryContext:
        record = self.get_summary(org, summary_id)
        if record is None:
            raise NotFound(f"Summary {summary_id} does not exist.")
        return SummaryContext(
            session_date=self.session_dates.get(summary_id, record.created_at.date()),
            session_kind="individual",
            coach=CoachVoice(),
        )

    def missing_turns(self, org: uuid.UUID, session_id: uuid.UUID, indexes: set[int]) -> set[int]:
        return indexes - self.turns

    def revisions(self, org: uuid.UUID, summary_id: uuid.UUID) -> list[RevisionRecord]:
        if self.get_summary(org, summary_id) is None:
            raise NotFound(f"Summary {summary_id} does not exist.")
        return list(self.history[summary_id])

    def save_revision(  # noqa: PLR0913 - the port's signature
        self,
        org: uuid.UUID,
        summary_id: uuid.UUID,
        expected_revision: int | None,
        content: SummaryContent,
        *,
        command: RevisionCommand,
        author_user_id: uuid.UUID,
        follow_up: FollowUpDraft | None = None,
        request: str | None = None,
    ) -> SummaryRecord:
        record = self.get_summary(org, summary_id)
        if record is None:
            raise NotFound(f"Summary {summary_id} does not exist.")
        if expected_revision is not None and expected_revision != record.revision:
            raise Conflict(f"It is at revision {record.revision}, not {expected_revision}.")
        if command in _WORD_CHANGES and record.approved_at is not None:
            raise Conflict("The summary is approved.")
        now = dt.datetime.now(dt.UTC)
        update: dict[str, Any] = {"revision": record.revision + 1, "content": content}
        if command in _WORD_CHANGES:
            update["edited"] = True
        elif command == "approve":
            update["approved_at"] = now
        elif command == "reopen":
            update["approved_at"] = None
        saved = record.model_copy(update=update)
        self.records[summary_id] = saved
        self.history[summary_id].append(
            RevisionRecord(
                revision=saved.revision,
                command=command,
                request=request,
                author_user_id=author_user_id,
                created_at=now,
                content=content,
            )
        )
        return saved
