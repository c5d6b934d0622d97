"""Notices to coaches held for later (a digest, quiet hours), and the coach's preferences."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from coaching.domain.clients import NotificationPreferences
from coaching.domain.notices import CoachNotice, NoticeBatch
from coaching.ports.mailer import Mailer
from coaching.ports.notifications import Notifications


class NoticeRecipients(Protocol):
    def notice_recipient(
        self, org: uuid.UUID, coach_id: uuid.UUID
    ) -> tuple[str, NotificationPreferences] | None:
        """The coach's email and notice preferences; None if the organization has no such
        coach."""
        ...


class NoticeQueue(Protocol):
    def hold(self, org: uuid.UUID, notice: CoachNotice, due_at: dt.datetime) -> None:
        """Keeps the notice until ``due_at``."""
        ...

    def coaches_due(
        self, now: dt.datetime, stale_before: dt.datetime
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(organization, coach) of every coach with notices due at ``now``, or with a batch
        claimed before ``stale_before`` and not recorded sent: across organizations."""
        ...

    def claim(
        self, org: uuid.UUID, coach_id: uuid.UUID, now: dt.datetime, stale_before: dt.datetime
    ) -> NoticeBatch | None:
        """A batch left claimed before ``stale_before`` (resumed, taken again at ``now``),
        else every notice of the coach due at ``now`` in a new batch; None if neither. Two
        concurrent claims never return the same notice."""
        ...

    def record_sent(self, org: uuid.UUID, batch_id: uuid.UUID, message_id: str) -> None: ...

    def release(self, org: uuid.UUID, batch_id: uuid.UUID) -> None:
        """Queues a claimed batch's notices again: nothing was delivered under its key."""
        ...

    def abandon(self, org: uuid.UUID, batch_id: uuid.UUID) -> None:
        """Gives up a batch that cannot be sent again without perhaps emailing twice."""
        ...


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class NoticePorts:
    """What telling a coach needs (usecases/coach_notice.py, notice_digest.py); the
    composition root builds it, tests pass fakes and a clock."""

    recipients: NoticeRecipients
    queue: NoticeQueue
    mailer: Mailer
    notifications: Notifications
    web_base_url: str  # notices link into the web app: a session's page, a follow-up's
    clock: Callable[[], dt.datetime] = field(default=utc_now)
