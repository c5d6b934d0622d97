"""A scheduled export's cadence: standard cron, its zone, at most once an hour."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching.domain.errors import Unprocessable
from coaching.domain.export_schedules import Cadence

pytestmark = pytest.mark.unit
UTC = dt.UTC


def test_mondays_at_six_in_berlin_run_at_five_utc_in_winter_and_four_in_summer():
    cadence = Cadence.parse("0 6 * * 1", "Europe/Berlin")
    winter = cadence.next_after(dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    summer = cadence.next_after(dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert winter == dt.datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert summer == dt.datetime(2026, 7, 6, 4, 0, tzinfo=UTC)
    assert cadence.describe() == "At 06:00 on Monday"


def test_the_next_run_is_strictly_after_the_moment_so_a_run_at_its_time_is_not_repeated():
    cadence = Cadence.parse("0 * * * *", "UTC")
    at = dt.datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert cadence.next_after(at) == dt.datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def test_extra_spaces_are_one_space():
    assert Cadence.parse("  0  6 * *   1 ", "UTC").cron == "0 6 * * 1"


@pytest.mark.parametrize(
    "cron",
    [
        "* * * * *",  # every minute
        "*/5 * * * *",
        "0,30 * * * *",
        "0-10 6 * * *",
        "0 6 * *",  # four fields
        "0 0 6 * * 1",  # six: seconds are not standard cron
        "@hourly",
        "0 25 * * *",
        "0 6 * * funday",
        "60 * * * *",
    ],
)
def test_a_cron_more_often_than_hourly_or_not_standard_is_refused(cron):
    with pytest.raises(Unprocessable):
        Cadence.parse(cron, "UTC")


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus", "", "../../etc/passwd", "Europe/Berlin\x00", "America", " UTC"],
)
def test_an_unknown_zone_is_refused(zone):
    with pytest.raises(Unprocessable):
        Cadence.parse("0 6 * * 1", zone)


@given(
    minute=st.integers(0, 59),
    hours=st.sampled_from(["*", "*/2", "6", "6-18", "0,12"]),
    days=st.sampled_from(["*", "1", "1-5", "*/3"]),
    start=st.datetimes(
        min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
)
def test_consecutive_runs_of_any_accepted_cadence_are_at_least_an_hour_apart(
    minute, hours, days, start, zone
):
    cadence = Cadence.parse(f"{minute} {hours} * * {days}", zone)
    first = cadence.next_after(start)
    second = cadence.next_after(first)
    assert first > start
    assert second - first >= dt.timedelta(hours=1) or _across_a_clock_change(first, second, zone)


def _across_a_clock_change(first: dt.datetime, second: dt.datetime, zone: str) -> bool:
    # Autumn's repeated hour: 01:30 then 01:30 again is an hour of wall time, less of UTC.
    from zoneinfo import ZoneInfo

    local = ZoneInfo(zone)
    return first.astimezone(local).utcoffset() != second.astimezone(local).utcoffset()
