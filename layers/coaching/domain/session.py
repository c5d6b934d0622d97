"""A coaching session as stored: where its transcript is and how far processing got."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel

from coaching.domain.errors import SessionBusy as SessionBusy

SessionType = Literal["group", "individual"]
ProcessingStatus = Literal["received", "processing", "completed", "failed"]


class SessionRecord(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    # The coach whose session this is; None = nobody known yet (admins see it).
    coach_id: uuid.UUID | None = None
    source_name: str
    transcript_key: str
    content_sha256: str
    session_type: SessionType | None = None
    session_date: dt.date | None = None
    coach_name: str | None = None
    format: str | None = None
    timing: Literal["cues", "estimated"] | None = None
    duration_seconds: float | None = None
    participant_count: int | None = None
    processing_status: ProcessingStatus = "received"
    failure_reason: str | None = None
    failed_step: str | None = None
    execution_name: str | None = None
    session_summary: str | None = None
    coach_confidence: float | None = None
    coach_source: str | None = None
    supervision: dict[str, Any] | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


ACTIVE_STATUSES = ("received", "processing")  # a run may still write to the session


class SessionFilter(BaseModel):
    """Which sessions a listing returns. ``coach_ids`` None: every coach's, and those of no
    coach; a set: only sessions of those coaches (empty: none at all)."""

    coach_ids: frozenset[uuid.UUID] | None = None
    date_from: dt.date | None = None  # on the session date, else the day it was received
    date_to: dt.date | None = None
    status: ProcessingStatus | None = None
    session_type: SessionType | None = None


class SessionPosition(BaseModel):
    """Where a page ended, in the listing's order (newest first): the next page starts after."""

    created_at: dt.datetime
    id: uuid.UUID


class SessionDeletion(BaseModel):
    """What deleting a session removed: rows per table, and the object keys it had."""

    session_id: uuid.UUID
    rows: dict[str, int]
    object_keys: list[str]
    client_ids: list[uuid.UUID] = []  # the clients it held (their access log keeps it)
