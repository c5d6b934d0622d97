"""Follow-up emails: the drafts approval leaves, and previews rendered without saving."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.domain.errors import NotFound
from coaching.domain.identity import Principal
from coaching.domain.review import FollowUpRecord
from coaching.ports.review import ReviewPorts
from coaching.usecases.access import require_visible, visibility_for
from coaching.usecases.follow_up_rendering import draft_follow_up
from coaching.usecases.summaries import visible_summary


def list_follow_ups(
    ports: ReviewPorts,
    principal: Principal,
    *,
    status: str | None,
    client_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Newest first; only those of sessions the caller may see."""
    visibility = visibility_for(principal, ports.directory)
    records = ports.summaries.list_follow_ups(
        principal.organization_id,
        visibility.coach_ids,
        status=status,
        client_id=client_id,
        limit=limit,
        offset=offset,
    )
    return [follow_up_view(record) for record in records]


def get_follow_up(
    ports: ReviewPorts, principal: Principal, follow_up_id: uuid.UUID
) -> dict[str, Any]:
    return follow_up_view(_visible_follow_up(ports, principal, follow_up_id))


def preview_follow_up(
    ports: ReviewPorts,
    principal: Principal,
    summary_id: uuid.UUID,
    template_id: uuid.UUID | None,
) -> dict[str, Any]:
    """The email the summary would make, in the coach's voice, saving nothing."""
    org = principal.organization_id
    record = visible_summary(ports, principal, summary_id)
    context = ports.summaries.summary_context(org, summary_id)
    if template_id is None:
        # The template approval would use: the session's coach's own default first.
        template = ports.templates.default_template(
            org, context.session_kind, record.session_coach_id
        )
        if template is None:
            raise NotFound("There is no default follow-up template.", hint="Choose one.")
    else:
        template = ports.templates.get_template(org, template_id)
        if template is None:
            raise NotFound(f"Template {template_id} does not exist.")
    subject, body, withheld = draft_follow_up(
        template.subject, template.content, record.content, context, record.client_name
    )
    return {
        "subject": subject,
        "body": body,
        "template_id": str(template.id),
        "summary_id": str(summary_id),
        "client_id": str(record.client_id),
        "withheld_sensitive_items": withheld,
    }


def preview_saved_follow_up(
    ports: ReviewPorts, principal: Principal, follow_up_id: uuid.UUID
) -> dict[str, Any]:
    """The saved draft as the client would read it."""
    record = _visible_follow_up(ports, principal, follow_up_id)
    return {
        "subject": record.subject or "",
        "body": record.body or "",
        "template_id": str(record.template_id) if record.template_id else None,
        "summary_id": str(record.summary_id),
        "client_id": str(record.client_id),
    }


def follow_up_view(record: FollowUpRecord) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "summary_id": str(record.summary_id),
        "session_id": str(record.session_id),
        "client_id": str(record.client_id),
        "client_name": record.client_name,
        "status": record.status,
        "status_reason": record.status_reason,
        "subject": record.subject,
        "body": record.body,
        "template_id": str(record.template_id) if record.template_id else None,
        "scheduled_for": record.scheduled_for.isoformat() if record.scheduled_for else None,
        "sent_at": record.sent_at.isoformat() if record.sent_at else None,
        "created_at": record.created_at.isoformat(),
    }


def _visible_follow_up(
    ports: ReviewPorts, principal: Principal, follow_up_id: uuid.UUID
) -> FollowUpRecord:
    record = ports.summaries.get_follow_up(principal.organization_id, follow_up_id)
    return require_visible(record, principal, ports.directory, f"Follow-up {follow_up_id}")
