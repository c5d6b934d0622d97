"""Client answers: the list, a client's history, their record, an import's report."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from coaching.analysis.commitments import Direction, Kept
from coaching.api.models.admin import AccessEntry
from coaching.api.models.base import Answer


class ClientOverview(Answer):
    id: str
    name: str
    status: str = Field(description="pending (found in a transcript) or active (confirmed)")
    sessions: int = Field(description="the sessions you can see that they were in")
    last_session_date: dt.date | None
    latest_engagement: str | None
    latest_priority: float | None
    email_suppressed: bool = Field(
        default=False,
        description="the address bounced for good or its owner complained: nothing is sent "
        "to it until it is changed",
    )


class ClientPage(Answer):
    items: list[ClientOverview]
    next_offset: int | None


class KeptEvidence(Answer):
    session_id: str
    turn: int
    time: float | None
    said_by: Literal["client", "coach"]


class Commitment(Answer):
    text: str | None
    owner: str | None
    due: str | None
    due_phrase: str | None = Field(
        default=None, description="the words the due date came from; set even when due is null"
    )
    evidence: list[int]
    kept: Kept
    kept_evidence: KeptEvidence | None


class ClientSession(Answer):
    session_id: str
    session_date: dt.date | None
    session_type: str | None
    speaking_time_seconds: float
    speaking_share: float
    engagement_level: str | None
    priority_score: float | None
    breakthroughs: int
    summary_status: Literal["draft", "approved"] | None
    commitments: list[Commitment]


class CommitmentCounts(Answer):
    kept: int
    not_kept: int
    unclear: int
    pending: int


class EngagementPoint(Answer):
    session_id: str
    session_date: dt.date | None
    engagement_level: str | None
    value: float


class EngagementTrend(Answer):
    series: list[EngagementPoint]
    slope: float | None
    direction: Direction
    threshold: float


class ClientHistory(Answer):
    id: str
    name: str
    status: str
    email: str | None = None
    phone: str | None = None
    created_at: dt.datetime
    sessions: list[ClientSession]
    commitments: CommitmentCounts
    engagement_trend: EngagementTrend
    opted_out: bool | None = None
    external_id: str | None = None
    email_suppressed: bool | None = Field(
        default=None,
        description="true once the address bounced for good or its owner complained: nothing "
        "is sent to it until it is changed (PATCH or PUT the client's email)",
    )
    email_suppressed_at: dt.datetime | None = None
    email_suppressed_reason: str | None = Field(
        default=None, description="why, as the mail service said (e.g. bounce: Permanent)"
    )


class ClientContact(Answer):
    id: str
    email: str | None
    phone: str | None


class ClientRecord(Answer):
    id: str
    name: str
    status: str
    email: str | None
    phone: str | None
    opted_out: bool
    opted_out_at: dt.datetime | None
    external_id: str | None


class MergedClient(ClientRecord):
    merged_client_id: str
    moved: dict[str, int] = Field(description="rows moved to this client, by kind")


class ImportRow(Answer):
    row: int = Field(description="the line in the file, the header being line 1")
    result: Literal["created", "updated", "skipped"]
    client_id: str | None
    reason: str | None = Field(description="why it was skipped")
    changed: list[str] = Field(description="what an update changed")


class ImportReport(Answer):
    created: int
    updated: int
    skipped: int
    rows: list[ImportRow]


class AccessLogPage(Answer):
    client_id: str
    items: list[AccessEntry]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
