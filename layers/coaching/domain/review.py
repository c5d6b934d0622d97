"""The coach's review as records: summaries as stored and revised, follow-up drafts, email
templates. The content models double as the API's validated input, so a coach's edit is
checked once, here; the review ports (ports/review.py) store and return them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
TurnIndex = Annotated[int, Field(ge=0)]

SummaryStatus = Literal["draft", "approved"]
FollowUpStatus = Literal["draft", "scheduled", "sent", "failed"]
TemplateType = Literal["follow_up"]
# Whose default a template is: the organization's (admins set it) or its own coach's.
DefaultFor = Literal["organization", "coach"]
SessionKind = Literal["group", "individual"]


class ReviewItem(BaseModel):
    """A statement of a summary. AI items keep the transcript turns they rest on; a coach's
    own words may have none."""

    model_config = ConfigDict(extra="forbid")

    text: ItemText
    evidence: list[TurnIndex] = Field(default=[], max_length=200)


class ReviewActionItem(ReviewItem):
    owner: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    due: dt.date | None = None
    # The words the due date came from ("by Friday"), as the analysis found them.
    due_phrase: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )


class SummaryContent(BaseModel):
    """What a summary says: the AI's draft, a coach's edit, or the approved words."""

    model_config = ConfigDict(extra="forbid")

    wins: list[ReviewItem] = Field(default=[], max_length=50)
    challenges: list[ReviewItem] = Field(default=[], max_length=50)
    action_items: list[ReviewActionItem] = Field(default=[], max_length=50)
    coach_recommendations: list[ReviewItem] = Field(default=[], max_length=50)


class SummaryRecord(BaseModel):
    id: uuid.UUID
    session_id: uuid.UUID
    session_coach_id: uuid.UUID | None  # decides who may see it
    client_id: uuid.UUID
    client_name: str
    content: SummaryContent
    revision: int  # 0: the AI's draft, untouched
    edited: bool  # a coach changed the AI's words
    approved_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def status(self) -> SummaryStatus:
        return "approved" if self.approved_at else "draft"


class SummaryListing(BaseModel):
    """A summary as a list shows it: whose, of which session, in what state (no words)."""

    id: uuid.UUID
    session_id: uuid.UUID
    session_coach_id: uuid.UUID | None  # decides who may see it
    session_date: dt.date
    client_id: uuid.UUID
    client_name: str
    revision: int
    edited: bool
    approved_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def status(self) -> SummaryStatus:
        return "approved" if self.approved_at else "draft"


RevisionCommand = Literal["edit", "approve", "reopen", "refine", "undo", "redo"]


class RevisionRecord(BaseModel):
    """One stored step of a summary's review: who, when, the request, the result.
    Revision 0 is the AI's draft (no author, no command)."""

    revision: int
    command: str | None
    request: str | None
    author_user_id: uuid.UUID | None
    created_at: dt.datetime
    content: SummaryContent


class CoachVoice(BaseModel):
    """Who writes to the client, and how they greet and sign off."""

    name: str | None = None
    voice_profile: dict[str, Any] = {}  # JSON as stored: unknown keys are ignored


class SummaryContext(BaseModel):
    """What a follow-up email needs besides the summary's words."""

    session_date: dt.date  # the day it was held, else the day it was received
    session_kind: SessionKind
    coach: CoachVoice
    sensitive_turns: frozenset[int] = frozenset()  # turns flagged health, medication, ...


class FollowUpDraft(BaseModel):
    id: uuid.UUID
    subject: str
    body: str
    template_id: uuid.UUID | None


class FollowUpRecord(BaseModel):
    id: uuid.UUID
    summary_id: uuid.UUID
    session_id: uuid.UUID
    session_coach_id: uuid.UUID | None
    client_id: uuid.UUID
    client_name: str
    subject: str | None
    body: str | None
    template_id: uuid.UUID | None
    status: str
    status_reason: str | None = None  # why it failed or was skipped
    sent_at: dt.datetime | None
    scheduled_for: dt.datetime | None
    created_at: dt.datetime


class TemplateFields(BaseModel):
    """What a coach writes: validated for rendering by the use case, not here."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    type: TemplateType = "follow_up"
    workshop_type: SessionKind | None = Field(
        default=None, description="the kind of session it suits; none: any"
    )
    subject: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    content: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    is_default: bool = Field(
        default=False, description="picked for approved summaries of its workshop_type"
    )
    default_for: DefaultFor = Field(
        default="organization",
        description="whose default is_default makes it: the organization's (every coach's "
        "drafts; admins only) or its own coach's (the drafts of their sessions only, before "
        "the organization's)",
    )


class TemplateRecord(TemplateFields):
    id: uuid.UUID
    organization_id: uuid.UUID | None  # None: a read-only system default
    coach_id: uuid.UUID | None
    variables: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime | None = None

    @property
    def is_system(self) -> bool:
        return self.organization_id is None
