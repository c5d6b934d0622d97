"""Sending a follow-up: the approved words' fingerprint, the email as sent, why one was not."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

MailEventKind = Literal["bounce", "complaint"]

SendStatus = Literal["draft", "scheduled", "sending", "sent", "failed"]

# Why a follow-up was not sent, as shown to the coach (status 'failed', status_reason).
NO_ADDRESS = "client_has_no_email_address"
UNSUBSCRIBED = "client_unsubscribed"
# The client's address bounced for good or its owner complained (SES feedback): followed by
# ": " and what SES said; cleared when the coach changes the address.
SUPPRESSED = "client_address_suppressed"


def words_fingerprint(words: dict[str, Any]) -> str:
    """SHA-256 of the summary's words in a canonical JSON form: equal words, equal print."""
    canonical = json.dumps(words, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class OutgoingEmail:
    """One email, built the same for the outbox and for SES."""

    to: str
    subject: str
    text: str  # the HTML alternative is made from it
    reply_to: str | None
    unsubscribe_url: str | None


@dataclass(frozen=True)
class Delivery:
    message_id: str
    already_delivered: bool  # the key had been delivered before: nothing was sent now


@dataclass(frozen=True)
class SendClaim:
    """A follow-up now 'sending' (or left 'sending' by an attempt that did not finish)."""

    follow_up_id: uuid.UUID
    idempotency_key: uuid.UUID
    client_id: uuid.UUID
    subject: str
    body: str
    coach_email: str | None
    resumed: bool = False  # it was 'sending' already: an earlier attempt did not finish


@dataclass(frozen=True)
class MailEvent:
    """What SES reported about one message it sent: it bounced, or its reader complained."""

    kind: MailEventKind
    message_id: str  # SES's, returned at send and recorded on the follow-up
    idempotency_key: uuid.UUID | None  # the follow-up's, from the message's tag or header
    suppress: bool  # permanent (a hard bounce, a complaint): do not send to the address again
    detail: str  # e.g. "Permanent/General": SES's classification, never the address

    @property
    def reason(self) -> str:
        """The follow-up's status_reason, shown to the coach."""
        return f"{self.kind}: {self.detail}" if self.detail else self.kind
