"""A coaching session as stored: where its transcript is and how far processing got."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel

SessionType = Literal["group", "individual"]
ProcessingStatus = Literal["received", "processing", "completed", "failed"]


class SessionRecord(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
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
    supervision: dict | None = None
    created_at: dt.datetime | None = None
