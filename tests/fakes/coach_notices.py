"""Held notices and coaches' preferences in memory, claimed as the PostgreSQL adapter does."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from coaching.domain.clients import NotificationPreferences
from coaching.domain.notices import CoachNotice, NoticeBatch


@dataclass
class FakeNoticeRecipients:
    coaches: dict[tuple[uuid.UUID, uuid.UUID], tuple[str, NotificationPreferences]] = field(
        default_factory=dict
    )

    def notice_recipient(self, org, coach_id):
        return self.coaches.get((org, coach_id))


@dataclass
class HeldNotice:
    org: uuid.UUID
    notice: CoachNotice
    due_at: dt.datetime
    status: str = "queued"
    batch_id: uuid.UUID | None = None
    claimed_at: dt.datetime | None = None
    message_id: str | None = None


@dataclass
class FakeNoticeQueue:
    held: list[HeldNotice] = field(default_factory=list)

    def hold(self, org, notice, due_at):
        self.held.append(HeldNotice(org, notice, due_at))

    def coaches_due(self, now, stale_before):
        return sorted(
            {(h.org, h.notice.coach_id) for h in self.held if _claimable(h, now, stale_before)}
        )

    def claim(self, org, coach_id, now, stale_before):
        mine = [h for h in self.held if (h.org, h.notice.coach_id) == (org, coach_id)]
        stale = [h for h in mine if h.status == "claimed" and h.claimed_at < stale_before]
        if stale:
            batch = [h for h in mine if h.batch_id == stale[0].batch_id]
            for h in batch:
                h.claimed_at = now
            return _batch(batch, resumed=True)
        due = [h for h in mine if h.status == "queued" and h.due_at <= now]
        if not due:
            return None
        batch_id = uuid.uuid4()
        for h in due:
            h.status, h.batch_id, h.claimed_at = "claimed", batch_id, now
        return _batch(due)

    def record_sent(self, org, batch_id, message_id):
        for h in self._claimed(org, batch_id):
            h.status, h.message_id = "sent", message_id

    def release(self, org, batch_id):
        for h in self._claimed(org, batch_id):
            h.status, h.batch_id, h.claimed_at = "queued", None, None

    def abandon(self, org, batch_id):
        for h in self._claimed(org, batch_id):
            h.status = "abandoned"

    def statuses(self) -> list[str]:
        return [h.status for h in self.held]

    def _claimed(self, org, batch_id):
        return [
            h for h in self.held if (h.org, h.batch_id) == (org, batch_id) and h.status == "claimed"
        ]


def _claimable(h: HeldNotice, now, stale_before) -> bool:
    return (h.status == "queued" and h.due_at <= now) or (
        h.status == "claimed" and h.claimed_at < stale_before
    )


def _batch(held: list[HeldNotice], *, resumed: bool = False) -> NoticeBatch:
    first = held[0]
    return NoticeBatch(
        id=first.batch_id,
        coach_id=first.notice.coach_id,
        notices=[h.notice for h in held],
        resumed=resumed,
    )
