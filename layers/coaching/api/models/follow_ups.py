"""Follow-up answers: a follow-up, a page of them, previews, a batch send."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from coaching.api.models.base import Answer


class FollowUp(Answer):
    id: str
    summary_id: str
    session_id: str
    client_id: str
    client_name: str
    status: str = Field(description="draft, scheduled, sending, sent or failed")
    status_reason: str | None = Field(description="why it failed or was skipped")
    subject: str | None
    body: str | None
    template_id: str | None
    scheduled_for: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime


class FollowUpPage(Answer):
    items: list[FollowUp]
    limit: int
    offset: int
    next_offset: int | None


class RenderedFollowUp(FollowUp):
    withheld_sensitive_items: int = Field(
        description="items kept out: they rest on a sensitive turn"
    )


class BatchedFollowUp(FollowUp):
    refused: str | None = Field(description="why this one was not sent (its words changed)")


class BatchResult(Answer):
    items: list[BatchedFollowUp]


class SavedPreview(Answer):
    subject: str
    body: str
    template_id: str | None
    summary_id: str
    client_id: str


class Preview(SavedPreview):
    withheld_sensitive_items: int


class Unsubscribed(Answer):
    unsubscribed: bool
    message: str
