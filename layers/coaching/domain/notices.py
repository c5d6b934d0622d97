"""When a notice to a coach may go: at once, at the end of their quiet hours, or in their daily
digest. Pure rules over an injected "now"; every local time is read in the coach's own zone."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Delivery = Literal["immediately", "daily_digest"]
NoticeKind = Literal["review_ready", "failure", "follow_up_failed"]


def _known_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"not an IANA time zone (e.g. Europe/London): {name!r}") from error
    return name


TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_known_zone)]


class QuietHours(BaseModel):
    """No email from ``start`` to ``end`` local time; ``start`` after ``end`` spans midnight."""

    model_config = ConfigDict(extra="forbid")

    start: dt.time = Field(description='local time quiet hours begin, e.g. "22:00"')
    end: dt.time = Field(description='local time they end, e.g. "07:00"')

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("start and end are equal: leave quiet_hours out (null) for none")
        return self

    def covers(self, local: dt.time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class NoticePreferences(Protocol):
    """What decides whether and when a notice goes (domain/clients.NotificationPreferences)."""

    email_on_ready: bool
    email_on_failure: bool
    email_on_follow_up_failure: bool
    delivery: Delivery
    digest_hour: int
    time_zone: str
    quiet_hours: QuietHours | None


def send_at(timing: NoticePreferences, now: dt.datetime) -> dt.datetime | None:
    """When a notice raised at ``now`` goes: None for at once, else the UTC moment it is due."""
    zone = zoneinfo.ZoneInfo(timing.time_zone)
    if timing.delivery == "daily_digest":
        return _after_quiet_hours(
            timing.quiet_hours, _next_local(now, dt.time(timing.digest_hour), zone), zone
        )
    if timing.quiet_hours is not None and timing.quiet_hours.covers(_local_time(now, zone)):
        return _next_local(now, timing.quiet_hours.end, zone)
    return None


def _local_time(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.time:
    return moment.astimezone(zone).time()


def _next_local(now: dt.datetime, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first moment after ``now`` whose local time in ``zone`` is ``at`` (in UTC).

    Compared in UTC: aware datetimes sharing a zone compare by wall clock, which is wrong on
    the night the clocks change. A local time the spring change skips reads as the moment an
    hour later (fold 0), so a notice is late by that hour rather than lost."""
    today = now.astimezone(zone).date()
    for days in range(3):
        candidate = dt.datetime.combine(today + dt.timedelta(days=days), at, tzinfo=zone)
        if candidate.astimezone(dt.UTC) > now:
            return candidate.astimezone(dt.UTC)
    raise AssertionError("unreachable: a local time recurs within two days")  # pragma: no cover


def _after_quiet_hours(
    quiet: QuietHours | None, due: dt.datetime, zone: zoneinfo.ZoneInfo
) -> dt.datetime:
    if quiet is None or not quiet.covers(_local_time(due, zone)):
        return due
    return _next_local(due, quiet.end, zone)


@dataclass(frozen=True)
class CoachNotice:
    """One notice to the coach of a session: what an email about it says (ours and first names
    only), and where it links in the web app."""

    coach_id: uuid.UUID
    session_id: uuid.UUID
    kind: NoticeKind
    subject: str
    body: str
    follow_up_id: uuid.UUID | None = None


@dataclass(frozen=True)
class NoticeBatch:
    """Queued notices claimed by one run for one coach, to go as one email."""

    id: uuid.UUID  # the email's idempotency key: a retry delivers this batch, not a new one
    coach_id: uuid.UUID
    notices: list[CoachNotice]
    resumed: bool = False  # claimed by an earlier run that did not record it sent


def wanted(preferences: NoticePreferences, kind: NoticeKind) -> bool:
    """Whether the coach asked for email of this kind at all."""
    return {
        "review_ready": preferences.email_on_ready,
        "failure": preferences.email_on_failure,
        "follow_up_failed": preferences.email_on_follow_up_failure,
    }[kind]
