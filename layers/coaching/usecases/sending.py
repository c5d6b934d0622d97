"""Sending approved follow-ups, each exactly once.

A send moves the follow-up to 'sending' (store), emails it under the follow-up's own
idempotency key (mailer), then records it 'sent'. If the process stops between the email and
the record, the follow-up stays 'sending'; the next attempt (a retry, a double click, a
redelivered event) hands the mailer the same key, the mailer refuses to deliver it again, and
the first delivery is recorded. So a client is never emailed twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coaching.domain.errors import Conflict, NotFound, TransientError
from coaching.domain.identity import Principal
from coaching.domain.sending import NO_ADDRESS, OutgoingEmail, SendClaim
from coaching.ports.clients import ContactDetails
from coaching.ports.mailer import Mailer
from coaching.ports.review import ReviewPorts
from coaching.ports.sending import FollowUpSending
from coaching.ports.voice import VoiceObservations
from coaching.usecases.access import ensure_visible, require_visible, visibility_for
from coaching.usecases.follow_up_rendering import draft_follow_up
from coaching.usecases.follow_ups import follow_up_view
from coaching.usecases.unsubscribe import UnsubscribeLinks
from coaching.usecases.voice_learning import VoiceLearningPorts, learn_from_sent

log = logging.getLogger(__name__)

# Told (organization, follow-up, reason) of each follow-up that failed.
FailureListener = Callable[[uuid.UUID, uuid.UUID, str], None]


@dataclass(frozen=True)
class SendingPorts:
    review: ReviewPorts
    sending: FollowUpSending
    contacts: ContactDetails
    mailer: Mailer
    links: UnsubscribeLinks | None = None  # the unsubscribe link every email carries
    voice: VoiceObservations | None = None  # learns the coach's voice from what they send
    on_failed: FailureListener | None = None  # told of every failure (follow_up_failed)


def follow_up_failed(
    sending: FollowUpSending,
    on_failed: FailureListener | None,
    org: uuid.UUID,
    follow_up_id: uuid.UUID,
    reason: str,
    *,
    recorded: bool = False,
) -> None:
    """The one place a follow-up's failure passes (no address, delivery failed, refused at
    its scheduled time, bounced or complained): recorded 'failed' with ``reason`` (unless
    the caller's own transaction did: ``recorded``), then ``on_failed`` is told, once per
    failure (the coach's notice, usecases/follow_up_failure_notice.py). A listener that
    fails is logged: the failure stays recorded, and the send path goes on. Not passed: a
    client who unsubscribed or whose address is suppressed is skipped inside start_sending,
    the reason on the follow-up."""
    if not recorded:
        sending.record_failed(org, follow_up_id, reason)
    if on_failed is None:
        return
    try:
        on_failed(org, follow_up_id, reason)
    except Exception:  # noqa: BLE001 - the failure is recorded; a lost notice must not undo it
        log.exception("follow-up %s failed and its coach could not be told", follow_up_id)


def _failed(ports: SendingPorts, org: uuid.UUID, follow_up_id: uuid.UUID, reason: str) -> None:
    follow_up_failed(ports.sending, ports.on_failed, org, follow_up_id, reason)


def send_follow_up(
    ports: SendingPorts, principal: Principal, follow_up_id: uuid.UUID
) -> dict[str, Any]:
    """Sends now (or records why not) and returns the follow-up as it stands."""
    _visible(ports, principal, follow_up_id)
    send_claimed(ports, principal.organization_id, follow_up_id)
    return _view(ports, principal, follow_up_id)


def send_claimed(ports: SendingPorts, org: uuid.UUID, follow_up_id: uuid.UUID) -> None:
    """The send itself, for a caller already allowed (the API, the scheduler)."""
    claim = ports.sending.start_sending(org, follow_up_id)
    if claim is None:  # sent already, or the client unsubscribed
        return
    if claim.resumed and not ports.mailer.remembers_keys:
        # Another attempt is under way, or stopped after SES may have accepted the email:
        # sending again could email the client twice. It stays 'sending' for the coach to see.
        log.warning("follow-up %s is already being sent: not sent again", follow_up_id)
        return
    address = ports.contacts.contact(org, claim.client_id).email
    if not address:
        _failed(ports, org, follow_up_id, NO_ADDRESS)
        return
    try:
        delivery = ports.mailer.deliver(
            _email(ports, org, claim, address), idempotency_key=str(claim.idempotency_key)
        )
    except TransientError as error:
        # Nothing was delivered under the key: a later send may try again with it.
        _failed(ports, org, follow_up_id, f"delivery_failed: {error.message}")
        return
    ports.sending.record_sent(org, follow_up_id, delivery.message_id)
    _learn_voice(ports, org, follow_up_id)


def _learn_voice(ports: SendingPorts, org: uuid.UUID, follow_up_id: uuid.UUID) -> None:
    """The sent email teaches the coach's voice; the email is out and recorded whatever
    happens here, so a failure is logged (no content), never the send's."""
    if ports.voice is None:
        return
    try:
        learn_from_sent(VoiceLearningPorts(ports.review, ports.voice), org, follow_up_id)
    except Exception as error:  # noqa: BLE001 - see the docstring
        log.warning("follow-up %s: voice not learned (%s)", follow_up_id, type(error).__name__)


def schedule_follow_up(
    ports: SendingPorts, principal: Principal, follow_up_id: uuid.UUID, at: dt.datetime
) -> dict[str, Any]:
    _visible(ports, principal, follow_up_id)
    ports.sending.schedule(principal.organization_id, follow_up_id, at)
    return _view(ports, principal, follow_up_id)


def edit_follow_up(
    ports: SendingPorts, principal: Principal, follow_up_id: uuid.UUID, subject: str, body: str
) -> dict[str, Any]:
    _visible(ports, principal, follow_up_id)
    ports.sending.edit(principal.organization_id, follow_up_id, subject, body)
    return _view(ports, principal, follow_up_id)


def render_again(
    ports: SendingPorts,
    principal: Principal,
    follow_up_id: uuid.UUID,
    *,
    include_sensitive: bool,
) -> dict[str, Any]:
    """The draft rendered again from its template and the approved words; sensitive items
    (resting on a health, medication... turn) only when the coach explicitly includes them."""
    org = principal.organization_id
    record = ports.review.summaries.get_follow_up(org, follow_up_id)
    record = require_visible(record, principal, ports.review.directory, f"Follow-up {follow_up_id}")
    summary = ports.review.summaries.get_summary(org, record.summary_id)
    if summary is None:
        raise NotFound(f"Follow-up {follow_up_id} does not exist.")
    context = ports.review.summaries.summary_context(org, record.summary_id)
    template = (
        ports.review.templates.get_template(org, record.template_id)
        if record.template_id
        else ports.review.templates.default_template(
            org, context.session_kind, record.session_coach_id
        )
    )
    if template is None:
        raise NotFound("The follow-up's template no longer exists.", hint="Edit it instead.")
    subject, body, withheld = draft_follow_up(
        template.subject,
        template.content,
        summary.content,
        context,
        record.client_name,
        include_sensitive=include_sensitive,
    )
    ports.sending.edit(org, follow_up_id, subject, body)
    return {**_view(ports, principal, follow_up_id), "withheld_sensitive_items": withheld}


def cancel_follow_up(
    ports: SendingPorts, principal: Principal, follow_up_id: uuid.UUID
) -> dict[str, Any]:
    _visible(ports, principal, follow_up_id)
    ports.sending.cancel(principal.organization_id, follow_up_id)
    return _view(ports, principal, follow_up_id)


def batch(
    ports: SendingPorts, principal: Principal, session_id: uuid.UUID, at: dt.datetime | None
) -> list[dict[str, Any]]:
    """Every approved follow-up of the session not sent yet, sent now (or scheduled at
    ``at``); each goes through the same exactly-once send, so repeating the batch sends
    nothing twice. One refused (its words changed) does not stop the others."""
    org = principal.organization_id
    exists, coach_id = ports.review.summaries.session_coach(org, session_id)
    if not exists:
        raise NotFound(f"Session {session_id} does not exist.")
    ensure_visible(
        visibility_for(principal, ports.review.directory), coach_id, f"Session {session_id}"
    )
    items = []
    for follow_up_id in ports.sending.approved_follow_ups(org, session_id):
        refused = None
        try:
            if at is None:
                send_claimed(ports, org, follow_up_id)
            else:
                ports.sending.schedule(org, follow_up_id, at)
        except Conflict as error:
            refused = error.user_message()
        items.append({**_view(ports, principal, follow_up_id), "refused": refused})
    return items


def send_due(ports: SendingPorts, now: dt.datetime) -> int:
    """Sends every scheduled follow-up due at ``now`` (the scheduler's tick); how many were
    tried. One that fails (its words changed, the database hiccups) does not stop the rest;
    it stays scheduled or failed, with its reason, for the coach to see."""
    tried = 0
    for org, follow_up_id in ports.sending.due(now):
        try:
            send_claimed(ports, org, follow_up_id)
        except Conflict as error:
            _failed(ports, org, follow_up_id, f"refused: {error.message}")
        except TransientError:
            log.warning("scheduled send %s will be tried again on the next tick", follow_up_id)
        tried += 1
    return tried


def _email(ports: SendingPorts, org: uuid.UUID, claim: SendClaim, address: str) -> OutgoingEmail:
    link = ports.links.link(org, claim.client_id) if ports.links else None
    return OutgoingEmail(
        to=address,
        subject=claim.subject,
        text=claim.body,
        reply_to=claim.coach_email,
        unsubscribe_url=link,
    )


def _visible(ports: SendingPorts, principal: Principal, follow_up_id: uuid.UUID) -> None:
    record = ports.review.summaries.get_follow_up(principal.organization_id, follow_up_id)
    require_visible(record, principal, ports.review.directory, f"Follow-up {follow_up_id}")


def _view(ports: SendingPorts, principal: Principal, follow_up_id: uuid.UUID) -> dict[str, Any]:
    record = ports.review.summaries.get_follow_up(principal.organization_id, follow_up_id)
    assert record is not None  # noqa: S101 - seen a moment ago, and follow-ups are not deleted
    return follow_up_view(record)
