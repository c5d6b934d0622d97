"""A notice about a session goes to that session's own coach, and to nobody else.

Never to a configured address: in an organization of several coaches, one coach's client
names would reach another. A session of no coach (admins see it) sends no email; the
notifications table records that none was sent.
"""

from __future__ import annotations

import logging
import uuid

from coaching.usecases.dependencies import Dependencies

log = logging.getLogger(__name__)


def email_the_sessions_coach(
    deps: Dependencies,
    org: uuid.UUID,
    session_id: uuid.UUID,
    coach_id: uuid.UUID | None,
    *,
    kind: str,
    subject: str,
    body: str,
) -> str | None:
    """Sends the notice to the coach's email; returns its message id, or None if not sent."""
    recipient = deps.coaches.coach_email(org, coach_id) if coach_id is not None else None
    if recipient is None:
        # No address in the log: only that nobody was told, and which session.
        log.info("session %s has no coach to tell: no %s email sent", session_id, kind)
        deps.notifications.record_notification(org, session_id, kind, None, None)
        return None
    message_id = deps.mailer.send(to=recipient, subject=subject, body=body)
    deps.notifications.record_notification(org, session_id, kind, recipient, message_id)
    return message_id
