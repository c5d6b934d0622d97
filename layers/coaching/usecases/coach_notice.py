"""A notice about a session goes to that session's own coach, and to nobody else, as their
preferences say: at once, or held for their daily digest or the end of their quiet hours
(usecases/notice_digest.py sends what was held), or not at all for a kind they switched off.

Never to a configured address: in an organization of several coaches, one coach's client
names would reach another. A session of no coach (admins see it) sends no email; the
notifications table records that none was sent.
"""

from __future__ import annotations

import logging
import uuid

from coaching.domain.notices import CoachNotice, NoticeKind, send_at, wanted
from coaching.ports.coach_notices import NoticePorts
from coaching.ports.notifications import Notifications
from coaching.usecases.dependencies import Dependencies

log = logging.getLogger(__name__)


def email_the_sessions_coach(
    deps: Dependencies,
    org: uuid.UUID,
    session_id: uuid.UUID,
    coach_id: uuid.UUID | None,
    *,
    kind: NoticeKind,
    subject: str,
    body: str,
) -> str | None:
    """Tells the coach; returns the message id of an email sent now, else None."""
    if coach_id is not None and deps.notices is not None:
        notice = CoachNotice(coach_id, session_id, kind, subject, body)
        return tell_the_coach(deps.notices, org, notice)
    # Without notice ports (the pipeline's unit fakes): at once, to the coach's address.
    recipient = deps.coaches.coach_email(org, coach_id) if coach_id is not None else None
    if recipient is None:
        nobody_to_tell(deps.notifications, org, session_id, kind)
        return None
    message_id = deps.mailer.send(to=recipient, subject=subject, body=body)
    deps.notifications.record_notification(org, session_id, kind, recipient, message_id)
    return message_id


def tell_the_coach(ports: NoticePorts, org: uuid.UUID, notice: CoachNotice) -> str | None:
    """Sends the notice now, holds it for later, or drops it, as the coach's preferences say.
    Returns the message id of an email sent now."""
    found = ports.recipients.notice_recipient(org, notice.coach_id)
    if found is None:
        nobody_to_tell(ports.notifications, org, notice.session_id, notice.kind)
        return None
    recipient, preferences = found
    if not wanted(preferences, notice.kind):
        log.info("session %s: its coach wants no %s email", notice.session_id, notice.kind)
        ports.notifications.record_notification(org, notice.session_id, notice.kind, None, None)
        return None
    due = send_at(preferences, ports.clock())
    if due is not None:
        ports.queue.hold(org, notice, due)
        return None
    message_id = ports.mailer.send(to=recipient, subject=notice.subject, body=notice.body)
    ports.notifications.record_notification(
        org, notice.session_id, notice.kind, recipient, message_id
    )
    return message_id


def nobody_to_tell(
    notifications: Notifications, org: uuid.UUID, session_id: uuid.UUID, kind: str
) -> None:
    """Records that no email went: no coach (or no such coach) to tell."""
    # No address in the log: only that nobody was told, and which session.
    log.info("session %s has no coach to tell: no %s email sent", session_id, kind)
    notifications.record_notification(org, session_id, kind, None, None)
