"""The periodic job: notices held for a digest or past quiet hours go out, one email per coach
(`coach serve`'s NoticeSchedule each minute; in AWS functions/send_coach_notices on a schedule).

Exactly once as far as the store can make it: a run claims a coach's due notices as one batch
(two runs never claim the same notice), emails it under the batch's id as idempotency key,
then records it sent. A batch left claimed by a run that stopped is resumed after LEASE with
the same key when the mailer refuses a key twice (the outbox); through SES, which keeps no
keys, it is abandoned instead: never twice, and logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from coaching.domain.errors import TransientError
from coaching.domain.notices import CoachNotice, NoticeBatch
from coaching.domain.sending import OutgoingEmail
from coaching.ports.coach_notices import NoticePorts

log = logging.getLogger(__name__)
# Longer than any run takes: a batch claimed this long ago belongs to a run that stopped.
LEASE = dt.timedelta(minutes=15)


def send_held_notices(ports: NoticePorts, now: dt.datetime | None = None) -> int:
    """Sends every coach's due notices; how many emails went. A coach whose email fails
    (the database or the mail service away) keeps their notices for the next run."""
    now = now or ports.clock()
    stale_before = now - LEASE
    emails = 0
    for org, coach_id in ports.queue.coaches_due(now, stale_before):
        try:
            emails += _send_to_coach(ports, org, coach_id, now, stale_before)
        except TransientError:
            log.warning("held notices of coach %s will be tried again on the next run", coach_id)
    return emails


def _send_to_coach(
    ports: NoticePorts,
    org: uuid.UUID,
    coach_id: uuid.UUID,
    now: dt.datetime,
    stale_before: dt.datetime,
) -> int:
    emails = 0
    while (batch := ports.queue.claim(org, coach_id, now, stale_before)) is not None:
        if batch.resumed and not ports.mailer.remembers_keys:
            log.warning("notice batch %s was left unfinished: not sent again", batch.id)
            ports.queue.abandon(org, batch.id)
            continue
        found = ports.recipients.notice_recipient(org, coach_id)
        if found is None:  # the coach's record is gone (their notices go with it)
            ports.queue.abandon(org, batch.id)
            continue
        recipient = found[0]
        subject, text = digest_email(batch)
        email = OutgoingEmail(
            to=recipient, subject=subject, text=text, reply_to=None, unsubscribe_url=None
        )
        try:
            delivery = ports.mailer.deliver(email, idempotency_key=str(batch.id))
        except TransientError:
            ports.queue.release(org, batch.id)  # nothing went under its key: try again later
            raise
        ports.queue.record_sent(org, batch.id, delivery.message_id)
        for notice in batch.notices:
            ports.notifications.record_notification(
                org, notice.session_id, notice.kind, recipient, delivery.message_id
            )
        emails += 1
    return emails


def digest_email(batch: NoticeBatch) -> tuple[str, str]:
    """One notice goes as it would have at once; several, as one digest listing each."""
    if len(batch.notices) == 1:
        (notice,) = batch.notices
        return notice.subject, notice.body
    count = len(batch.notices)
    parts = [f"{count} notices since your last email:\n"]
    parts += [_entry(number, notice) for number, notice in enumerate(batch.notices, 1)]
    return f"Your coaching digest: {count} notices", "\n".join(parts)


def _entry(number: int, notice: CoachNotice) -> str:
    return f"{number}. {notice.subject}\n{notice.body}"
