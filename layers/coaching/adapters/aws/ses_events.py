"""SES's event publishing, as EventBridge delivers it (detail-type "Email Bounced", "Email
Complaint Received"), read into a MailEvent. The follow-up is named by the message id SES
gave at send, and by the idempotency key the send tagged the message with (its
``follow_up_key`` tag, or the message's own header when the tag is missing)."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.adapters.email_message import KEY_HEADER
from coaching.domain.sending import MailEvent

# The message tag SesMailer.deliver adds: SES repeats it in every event of the message.
KEY_TAG = "follow_up_key"


class NotAMailEvent(ValueError):
    """The event is not a bounce or complaint published by SES."""


def mail_event(event: dict[str, Any]) -> MailEvent:
    detail = event.get("detail", event)  # EventBridge's envelope, or the bare SES record
    if not isinstance(detail, dict):
        raise NotAMailEvent("no SES event detail")
    kind = str(detail.get("eventType", "")).lower()
    mail = detail.get("mail") or {}
    message_id = mail.get("messageId")
    if not message_id:
        raise NotAMailEvent("the event names no message")
    if kind == "bounce":
        bounce = detail.get("bounce") or {}
        bounce_type = str(bounce.get("bounceType", ""))
        detail_text = "/".join(p for p in (bounce_type, bounce.get("bounceSubType")) if p)
        # A transient bounce (a full mailbox) failed this email, not the address.
        suppress = bounce_type == "Permanent"
    elif kind == "complaint":
        complaint = detail.get("complaint") or {}
        detail_text = str(complaint.get("complaintFeedbackType") or "")
        suppress = True
    else:
        raise NotAMailEvent(f"not a bounce or complaint: {kind or 'unknown'}")
    return MailEvent(
        kind=kind,  # type: ignore[arg-type] - one of the two, checked above
        message_id=str(message_id),
        idempotency_key=_key(mail),
        suppress=suppress,
        detail=detail_text,
    )


def _key(mail: dict[str, Any]) -> uuid.UUID | None:
    tagged = (mail.get("tags") or {}).get(KEY_TAG) or []
    headers = [h.get("value") for h in mail.get("headers") or [] if h.get("name") == KEY_HEADER]
    for value in [*tagged, *headers]:
        try:
            return uuid.UUID(str(value))
        except ValueError:
            continue
    return None
