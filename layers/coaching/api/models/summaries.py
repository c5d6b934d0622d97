"""Summary answers: a client's summary under review, a refinement's diff, an approval."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from coaching.analysis.refinement import Section
from coaching.api.models.base import Answer
from coaching.domain.review import ReviewActionItem, ReviewItem, SummaryStatus


class SummaryItem(Answer):
    text: str
    evidence: list[int] = Field(description="the turns it rests on")
    sensitive: bool = Field(description="rests on a sensitive turn: kept out of emails")


class SummaryActionItem(SummaryItem):
    owner: str | None = None
    due: dt.date | None = None
    due_phrase: str | None = Field(
        default=None, description="the words the due date came from; set even when due is null"
    )


class Summary(Answer):
    id: str
    session_id: str
    client_id: str
    client_name: str
    status: SummaryStatus
    revision: int = Field(description="0: the AI's draft, untouched")
    edited: bool = Field(description="a coach changed the AI's words")
    approved_at: dt.datetime | None
    created_at: dt.datetime
    wins: list[SummaryItem]
    challenges: list[SummaryItem]
    action_items: list[SummaryActionItem]
    coach_recommendations: list[SummaryItem]


class SummaryList(Answer):
    items: list[Summary]


class SummaryListItem(Answer):
    """A summary in a list: whose, of which session, in what state (its words: GET by id)."""

    id: str
    session_id: str
    session_date: dt.date = Field(description="the session's date (its upload's, if unknown)")
    client_id: str
    client_name: str
    status: SummaryStatus
    revision: int = Field(description="0: the AI's draft, untouched")
    edited: bool = Field(description="a coach changed the AI's words")
    approved_at: dt.datetime | None
    created_at: dt.datetime


class SummaryPage(Answer):
    items: list[SummaryListItem]
    limit: int
    offset: int
    next_offset: int | None = Field(description="the next page's offset; null: the last page")


class Change(Answer):
    section: Section
    change: Literal["added", "removed", "changed"]
    position: int = Field(description="from 1")
    before: ReviewActionItem | ReviewItem | None
    after: ReviewActionItem | ReviewItem | None
    note: str | None = None


class Revision(Answer):
    revision: int
    command: str
    request: str | None
    author_user_id: str | None
    created_at: dt.datetime


class Refined(Answer):
    summary: Summary
    diff: list[Change]
    reply: str = Field(description="what was done, for the coach")
    history: list[Revision] | None = Field(
        default=None, description="only when asked for the history"
    )


class DraftFollowUp(Answer):
    id: str
    status: Literal["draft"]


class Approved(Answer):
    summary: Summary
    follow_up: DraftFollowUp | None
