"""SES's feedback on sent follow-ups: a bounce or a complaint marks the follow-up 'failed'
with SES's reason, suppresses the client's address when it is permanent, and tells the
coach (sending.follow_up_failed). A redelivered event changes nothing and tells nobody."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from coaching.domain.sending import MailEvent
from coaching.ports.mail_feedback import MailFeedback
from coaching.ports.sending import FollowUpSending
from coaching.usecases.sending import FailureListener, follow_up_failed

log = logging.getLogger(__name__)

Outcome = Literal["recorded", "already_recorded", "not_a_follow_up"]


@dataclass(frozen=True)
class MailEventPorts:
    feedback: MailFeedback
    sending: FollowUpSending
    on_failed: FailureListener | None = None  # the coach's notifications


def record_mail_event(ports: MailEventPorts, event: MailEvent) -> Outcome:
    found = ports.feedback.follow_up_of(event)
    if found is None:
        # A notice to a coach, or a follow-up erased since: nothing of ours to mark.
        log.info("an SES %s about a message that is no follow-up", event.kind)
        return "not_a_follow_up"
    org, follow_up_id = found
    if not ports.feedback.record_undeliverable(org, follow_up_id, event):
        return "already_recorded"
    follow_up_failed(ports.sending, ports.on_failed, org, follow_up_id, event.reason, recorded=True)
    return "recorded"
