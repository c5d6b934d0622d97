"""The coach hears that a follow-up to a client could not be sent (no address, a delivery
that failed, its words changed since approval; later, a bounce), as their preferences say.

Called where a send is recorded failed (usecases/sending.py, through SendingPorts.on_failed)
and by whatever else learns it (SES bounce events). The email names the client by first name
only and says why in our words, never the mail system's (which may quote an address).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.notices import CoachNotice, NoticeKind
from coaching.domain.review import FollowUpRecord
from coaching.domain.sending import NO_ADDRESS
from coaching.ports.coach_notices import NoticePorts
from coaching.usecases.coach_notice import nobody_to_tell, tell_the_coach

KIND: NoticeKind = "follow_up_failed"
# The reason's code (before any ':') in the coach's words.
_WHY = {
    NO_ADDRESS: "the client has no email address on record",
    "delivery_failed": "the email could not be delivered",
    "refused": "the summary's words changed after approval, so it was not sent",
    # SES's feedback (MailEvent.reason: "bounce: Permanent/General", "complaint: ...")
    "bounce": "the client's mail server returned it",
    "complaint": "the client marked it as unwanted mail",
}
_WHY_UNKNOWN = "it could not be delivered"


class FollowUpLookup(Protocol):
    def get_follow_up(self, org: uuid.UUID, follow_up_id: uuid.UUID) -> FollowUpRecord | None: ...


def tell_coach_follow_up_failed(
    ports: NoticePorts,
    follow_ups: FollowUpLookup,
    org: uuid.UUID,
    follow_up_id: uuid.UUID,
    reason: str,
) -> str | None:
    """Tells the session's coach; returns the message id of an email sent now, else None."""
    record = follow_ups.get_follow_up(org, follow_up_id)
    if record is None:
        return None
    if record.session_coach_id is None:
        nobody_to_tell(ports.notifications, org, record.session_id, KIND)
        return None
    first_name = (record.client_name.split() or ["your client"])[0]
    notice = CoachNotice(
        coach_id=record.session_coach_id,
        session_id=record.session_id,
        kind=KIND,
        subject=f"A follow-up to {first_name} was not sent",
        body=(
            f"Your follow-up to {first_name} was not sent: {why(reason)}.\n\n"
            f"Open it: {ports.web_base_url}/follow-ups/{follow_up_id}\n"
        ),
        follow_up_id=follow_up_id,
    )
    return tell_the_coach(ports, org, notice)


def why(reason: str) -> str:
    return _WHY.get(reason.split(":", 1)[0].strip(), _WHY_UNKNOWN)
