"""The coach's review of a summary: read, edit, approve, reopen.

Nothing reaches a client before approval: approving freezes the words as a revision and
leaves a follow-up *draft* (sending is a later step). The AI's draft is never overwritten
(``ai_version``); every change is a numbered revision, and a change made on a stale
revision is refused, so two people reviewing at once cannot overwrite each other.
"""

from __future__ import annotations

import uuid
from typing import Any

from coaching.domain.errors import ContentRejected, NotFound
from coaching.domain.identity import Principal
from coaching.domain.review import (
    FollowUpDraft,
    SummaryContent,
    SummaryListing,
    SummaryRecord,
    SummaryStatus,
)
from coaching.ports.review import ReviewPorts
from coaching.usecases.access import ensure_visible, require_visible, visibility_for
from coaching.usecases.follow_up_rendering import draft_follow_up


def session_summaries(
    ports: ReviewPorts, principal: Principal, session_id: uuid.UUID
) -> list[dict[str, Any]]:
    org = principal.organization_id
    exists, coach_id = ports.summaries.session_coach(org, session_id)
    if not exists:
        raise NotFound(f"Session {session_id} does not exist.")
    ensure_visible(visibility_for(principal, ports.directory), coach_id, f"Session {session_id}")
    records = ports.summaries.session_summaries(org, session_id)
    sensitive = ports.summaries.sensitive_turns(org, session_id) if records else frozenset()
    return [summary_view(record, sensitive) for record in records]


def list_summaries(
    ports: ReviewPorts,
    principal: Principal,
    *,
    status: SummaryStatus | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Newest session first; only those of sessions the caller may see (what waits for
    review: ``status="draft"``)."""
    visibility = visibility_for(principal, ports.directory)
    records = ports.summaries.list_summaries(
        principal.organization_id, visibility.coach_ids, status=status, limit=limit, offset=offset
    )
    return [listing_view(record) for record in records]


def listing_view(record: SummaryListing) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "session_id": str(record.session_id),
        "session_date": record.session_date.isoformat(),
        "client_id": str(record.client_id),
        "client_name": record.client_name,
        "status": record.status,
        "revision": record.revision,
        "edited": record.edited,
        "approved_at": record.approved_at.isoformat() if record.approved_at else None,
        "created_at": record.created_at.isoformat(),
    }


def visible_summary(
    ports: ReviewPorts, principal: Principal, summary_id: uuid.UUID
) -> SummaryRecord:
    """The summary, if the caller may see its session; else 404 as if it did not exist."""
    record = ports.summaries.get_summary(principal.organization_id, summary_id)
    return require_visible(record, principal, ports.directory, f"Summary {summary_id}")


def get_summary(ports: ReviewPorts, principal: Principal, summary_id: uuid.UUID) -> dict[str, Any]:
    record = visible_summary(ports, principal, summary_id)
    sensitive = ports.summaries.sensitive_turns(principal.organization_id, record.session_id)
    return summary_view(record, sensitive)


def edit_summary(
    ports: ReviewPorts,
    principal: Principal,
    summary_id: uuid.UUID,
    expected_revision: int,
    content: SummaryContent,
) -> dict[str, Any]:
    record = visible_summary(ports, principal, summary_id)
    check_evidence(ports, principal.organization_id, record.session_id, content)
    saved = ports.summaries.save_revision(
        principal.organization_id,
        summary_id,
        expected_revision,
        content,
        command="edit",
        author_user_id=principal.user_id,
    )
    return view_of(ports, principal, saved)


def approve_summary(
    ports: ReviewPorts,
    principal: Principal,
    summary_id: uuid.UUID,
    expected_revision: int | None,
) -> tuple[dict[str, Any], uuid.UUID | None]:
    """Approves the words as they stand; (the summary, the follow-up draft's id).

    Approving an approved summary is a Conflict (409), not a second draft."""
    org = principal.organization_id
    record = visible_summary(ports, principal, summary_id)
    draft = _follow_up_draft(ports, org, record)
    saved = ports.summaries.save_revision(
        org,
        summary_id,
        # The draft was rendered from this revision: approve exactly that one.
        record.revision if expected_revision is None else expected_revision,
        record.content,
        command="approve",
        author_user_id=principal.user_id,
        follow_up=draft,
    )
    return view_of(ports, principal, saved), draft.id if draft else None


def reopen_summary(
    ports: ReviewPorts,
    principal: Principal,
    summary_id: uuid.UUID,
    expected_revision: int | None,
) -> dict[str, Any]:
    """Back to draft so the words can change; unsent follow-up drafts are withdrawn."""
    record = visible_summary(ports, principal, summary_id)
    saved = ports.summaries.save_revision(
        principal.organization_id,
        summary_id,
        expected_revision,
        record.content,
        command="reopen",
        author_user_id=principal.user_id,
    )
    return view_of(ports, principal, saved)


def summary_view(record: SummaryRecord, sensitive_turns: frozenset[int]) -> dict[str, Any]:
    content = record.content.model_dump(mode="json")
    for items in content.values():
        for item in items:
            # So the coach sees which items stay out of emails (see follow_up_rendering).
            item["sensitive"] = any(index in sensitive_turns for index in item["evidence"])
    return {
        "id": str(record.id),
        "session_id": str(record.session_id),
        "client_id": str(record.client_id),
        "client_name": record.client_name,
        "status": record.status,
        "revision": record.revision,
        "edited": record.edited,
        "approved_at": record.approved_at.isoformat() if record.approved_at else None,
        "created_at": record.created_at.isoformat(),
        **content,
    }


def view_of(ports: ReviewPorts, principal: Principal, record: SummaryRecord) -> dict[str, Any]:
    sensitive = ports.summaries.sensitive_turns(principal.organization_id, record.session_id)
    return summary_view(record, sensitive)


def _follow_up_draft(
    ports: ReviewPorts, org: uuid.UUID, record: SummaryRecord
) -> FollowUpDraft | None:
    context = ports.summaries.summary_context(org, record.id)
    template = ports.templates.default_template(org, context.session_kind, record.session_coach_id)
    if template is None:  # the system defaults of migration 0009 were removed by hand
        return None
    subject, body, _ = draft_follow_up(
        template.subject, template.content, record.content, context, record.client_name
    )
    return FollowUpDraft(id=uuid.uuid4(), subject=subject, body=body, template_id=template.id)


def check_evidence(
    ports: ReviewPorts, org: uuid.UUID, session_id: uuid.UUID, content: SummaryContent
) -> None:
    """Evidence must point at turns of this session: it is what the coach checks words by."""
    cited = {index for _, items in content for item in items for index in item.evidence}
    missing = ports.summaries.missing_turns(org, session_id, cited)
    if not missing:
        return
    errors = [
        {
            "loc": ("body", kind, position, "evidence"),
            "msg": f"no such turn in this session: {sorted(set(item.evidence) & missing)}",
        }
        for kind, items in content
        for position, item in enumerate(items)
        if set(item.evidence) & missing
    ]
    raise ContentRejected("Some evidence points at turns the session does not have.", errors)
