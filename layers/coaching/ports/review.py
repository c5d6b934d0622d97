"""The coach's review: summaries as stored and revised, follow-up drafts, email templates.

The records they store and return live in domain/review.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from coaching.domain.review import (
    FollowUpDraft,
    FollowUpRecord,
    RevisionCommand,
    RevisionRecord,
    SessionKind,
    SummaryContent,
    SummaryContext,
    SummaryListing,
    SummaryRecord,
    SummaryStatus,
    TemplateFields,
    TemplateRecord,
)
from coaching.domain.transcript import Turn
from coaching.ports.directory import Directory
from coaching.ports.transcripts import Transcripts


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

    def save_revision(  # noqa: PLR0913 - one transaction's inputs, keyword-only after content
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
        """One step of the review, in one transaction: checks the summary is at
        ``expected_revision`` (None: any) and in the state the command needs (Conflict
        otherwise), writes revision n+1 (with the coach's ``request``, if any), and then:
        edit, refine, undo, redo - set the coach's version (refused once approved);
        approve - sets approved_at and adds the follow-up draft; reopen - clears approved_at
        and withdraws unsent drafts."""
        ...

    def revisions(self, org: uuid.UUID, summary_id: uuid.UUID) -> list[RevisionRecord]:
        """Every revision, oldest first, starting with revision 0 (the AI's draft)."""
        ...

    def list_summaries(
        self,
        org: uuid.UUID,
        coach_ids: frozenset[uuid.UUID] | None,
        *,
        status: SummaryStatus | None,
        limit: int,
        offset: int,
    ) -> list[SummaryListing]:
        """Newest session first; ``coach_ids`` None: every session's."""
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
class FreeFormRefinement:
    """A free-form refiner's answer: the words as they now read, and one line for the coach."""

    content: SummaryContent
    reply: str


class SummaryRefiner(Protocol):
    """Free-form refinement (the OpenAI analyzer's, answered against the summary's JSON
    schema): the request the offline grammar does not know, applied to ``content``.
    ``history`` is every stored revision, oldest first; ``evidence`` the transcript turns
    ``content`` cites. An item keeps the evidence it had; a new item has none; an answer
    never cites a turn ``content`` does not. None from ``refine``: it cannot say (the
    grammar's helpful answer is given instead)."""

    def refine(
        self,
        content: SummaryContent,
        request: str,
        history: list[RevisionRecord],
        evidence: list[Turn],
    ) -> FreeFormRefinement | None: ...


@dataclass(frozen=True)
class ReviewPorts:
    """What the review's use cases need, built by the composition root."""

    summaries: ReviewStore
    templates: TemplateStore
    directory: Directory
    # None offline: only the grammar (analysis/refinement.py); the OpenAI analyzer's otherwise.
    refiner: SummaryRefiner | None = None
    # The turns a free-form refinement shows the model as evidence (only read with a refiner).
    transcripts: Transcripts | None = None
