"""When a scheduled export runs: a standard 5-field cron in the schedule's IANA zone.

The rules that keep a schedule from turning the server into an export loop live here: one
number in the minute field (so at most one run an hour), a known zone, and (in the use case)
a cap on schedules per organization. A missed tick runs once: the next run is always the
first occurrence after *now*, never the one after the run that was missed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass

from cronsim import CronSim, CronSimError

from coaching.domain.errors import Unprocessable

CRON_FIELDS = 5
# The minute field as one number: at most one run an hour, whatever the other fields say.
_ONE_MINUTE = re.compile(r"^[0-5]?[0-9]$")
MAX_CRON_LENGTH = 100


@dataclass(frozen=True)
class Cadence:
    """A validated cron expression and the zone its times are read in."""

    cron: str
    timezone: str

    @classmethod
    def parse(cls, cron: str, timezone: str) -> Cadence:
        cron = " ".join(cron.split())
        fields = cron.split(" ")
        if len(cron) > MAX_CRON_LENGTH or len(fields) != CRON_FIELDS:
            raise Unprocessable(
                "A schedule's cron has five fields: minute hour day-of-month month day-of-week.",
                hint='For example "0 6 * * 1": Mondays at 06:00.',
            )
        if not _ONE_MINUTE.match(fields[0]):
            raise Unprocessable(
                "A scheduled export runs at most once an hour: give one minute (0-59).",
                hint='For every hour on the hour: "0 * * * *".',
            )
        zone = _zone(timezone)
        try:
            next(CronSim(cron, dt.datetime(2000, 1, 1, tzinfo=zone)))
        except (CronSimError, StopIteration):
            raise Unprocessable(
                "The cron expression is not valid.", hint='For example "0 6 * * 1".'
            ) from None
        return cls(cron, timezone)

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first run strictly after ``moment`` (aware), in UTC."""
        local = moment.astimezone(_zone(self.timezone))
        return next(CronSim(self.cron, local)).astimezone(dt.UTC)

    def describe(self) -> str:
        """In words ("At 06:00 on Monday"), for people reading a list of schedules."""
        return CronSim(self.cron, dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).explain()


@functools.cache
def _known_zones() -> frozenset[str]:
    # The IANA list, not "any file under the zone folder" (a folder, "localtime"...).
    return frozenset(zoneinfo.available_timezones())


def _zone(name: str) -> zoneinfo.ZoneInfo:
    if name not in _known_zones():
        raise Unprocessable(
            f"{name!r} is not a known time zone.", hint="Use an IANA name such as Europe/Berlin."
        )
    return zoneinfo.ZoneInfo(name)
