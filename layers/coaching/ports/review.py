"""The coach's review: summaries as stored and revised, follow-up drafts, email templates.

The records here are what the review stores return and the use cases work on; the content
models double as the API's validated input, so a coach's edit is checked once, here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from coaching.domain.errors import ContentRejected as ContentRejected
from coaching.ports.directory import Directory

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


class ReviewStore(Protocol):
    """Summaries, their revisions and follow-up drafts. Every method is scoped to ``org``."""

    def session_coach(self, org: uuid.UUID, session_id: uuid.UUID) -> tuple[bool, uuid.UUID | None]:
        """(whether the session exists, its coach id)."""
        ...

    def session_summaries(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SummaryRecord]: ...

    def get_summary(self, org: uuid.UUID, summary_id: uuid.UUID) -> SummaryRecord | None: ...

    def summary_context(self, org: uuid.UUID, summary_id: uuid.UUID) -> SummaryContext: ...

    def sensitive_turns(self, org: uuid.UUID, session_id: uuid.UUID) -> frozenset[int]: ...

    def missing_turns(
        self, org: uuid.UUID, session_id: uuid.UUID, indexes: set[int]
    ) -> set[int]: ...

    def save_revision(
        self,
        org: uuid.UUID,
        summary_id: uuid.UUID,
        expected_revision: int | None,
        content: SummaryContent,
        *,
        command: Literal["edit", "approve", "reopen"],
        author_user_id: uuid.UUID,
        follow_up: FollowUpDraft | None = None,
    ) -> SummaryRecord:
        """One step of the review, in one transaction: checks the summary is at
        ``expected_revision`` (None: any) and in the state the command needs (Conflict
        otherwise), writes revision n+1, and then: edit - sets the coach's version;
        approve - sets approved_at and adds the follow-up draft; reopen - clears approved_at
        and withdraws unsent drafts."""
        ...

    def list_follow_ups(
        self,
        org: uuid.UUID,
        coach_ids: frozenset[uuid.UUID] | None,
        *,
        status: str | None,
        client_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> list[FollowUpRecord]: ...

    def get_follow_up(self, org: uuid.UUID, follow_up_id: uuid.UUID) -> FollowUpRecord | None: ...


class TemplateStore(Protocol):
    """Email templates: the organization's own and the read-only system defaults."""

    def list_templates(self, org: uuid.UUID) -> list[TemplateRecord]: ...

    def get_template(self, org: uuid.UUID, template_id: uuid.UUID) -> TemplateRecord | None:
        """The organization's template or a system default; another organization's: None."""
        ...

    def create_template(
        self,
        org: uuid.UUID,
        fields: TemplateFields,
        variables: list[str],
        coach_id: uuid.UUID | None,
    ) -> TemplateRecord: ...

    def update_template(
        self, org: uuid.UUID, template_id: uuid.UUID, fields: TemplateFields, variables: list[str]
    ) -> TemplateRecord: ...

    def delete_template(self, org: uuid.UUID, template_id: uuid.UUID) -> None: ...

    def default_template(
        self, org: uuid.UUID, kind: SessionKind, coach_id: uuid.UUID | None
    ) -> TemplateRecord | None:
        """The one used when none is picked for a session of ``coach_id``: that coach's own
        default for ``kind``, else the organization's, else the system's."""
        ...


@dataclass(frozen=True)
class ReviewPorts:
    """What the review's use cases need, built by the composition root."""

    summaries: ReviewStore
    templates: TemplateStore
    directory: Directory
