"""When a coach's notice goes: quiet hours (across midnight, in their zone, over the nights
the clocks change) and the daily digest's hour, with "now" given, never read."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from coaching.domain.clients import NotificationPreferences
from coaching.domain.notices import send_at, wanted


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def prefs(**changes) -> NotificationPreferences:
    return NotificationPreferences.model_validate(changes)


NIGHTS = {"start": "22:00", "end": "07:00"}


def test_by_default_a_notice_goes_at_once():
    assert send_at(prefs(), utc(2026, 11, 30, 3, 0)) is None


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (utc(2026, 11, 30, 21, 59), None),  # before they begin
        (utc(2026, 11, 30, 22, 0), utc(2026, 12, 1, 7, 0)),  # evening: tomorrow morning
        (utc(2026, 11, 30, 23, 30), utc(2026, 12, 1, 7, 0)),
        (utc(2026, 12, 1, 3, 0), utc(2026, 12, 1, 7, 0)),  # after midnight: this morning
        (utc(2026, 12, 1, 6, 59), utc(2026, 12, 1, 7, 0)),
        (utc(2026, 12, 1, 7, 0), None),  # the end is no longer quiet
    ],
)
def test_quiet_hours_across_midnight_hold_a_notice_until_they_end(now, due):
    assert send_at(prefs(quiet_hours=NIGHTS), now) == due


def test_quiet_hours_within_one_day():
    lunch = prefs(quiet_hours={"start": "12:00", "end": "13:30"})
    assert send_at(lunch, utc(2026, 11, 30, 11, 0)) is None
    assert send_at(lunch, utc(2026, 11, 30, 12, 15)) == utc(2026, 11, 30, 13, 30)
    assert send_at(lunch, utc(2026, 11, 30, 23, 0)) is None


def test_quiet_hours_are_the_coachs_local_hours():
    # 03:30 UTC is 22:30 in New York (EST, UTC-5): quiet until 07:00 there, 12:00 UTC
    new_york = prefs(quiet_hours=NIGHTS, time_zone="America/New_York")
    assert send_at(new_york, utc(2026, 12, 1, 3, 30)) == utc(2026, 12, 1, 12, 0)
    # 21:00 UTC is 08:00 the next day in Sydney (AEDT, UTC+11): not quiet
    sydney = prefs(quiet_hours=NIGHTS, time_zone="Australia/Sydney")
    assert send_at(sydney, utc(2026, 11, 30, 21, 0)) is None


def test_quiet_hours_end_at_local_seven_on_the_nights_the_clocks_change():
    london = prefs(quiet_hours=NIGHTS, time_zone="Europe/London")
    # Spring, 29 March 2026: 07:00 BST is 06:00 UTC (the night was an hour shorter)
    assert send_at(london, utc(2026, 3, 28, 23, 0)) == utc(2026, 3, 29, 6, 0)
    # Autumn, 25 October 2026: 23:00 BST the evening before; 07:00 GMT is 07:00 UTC
    assert send_at(london, utc(2026, 10, 24, 22, 0)) == utc(2026, 10, 25, 7, 0)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (utc(2026, 11, 30, 7, 59), utc(2026, 11, 30, 8, 0)),  # before today's digest
        (utc(2026, 11, 30, 8, 0), utc(2026, 12, 1, 8, 0)),  # at or after it: tomorrow's
        (utc(2026, 11, 30, 20, 0), utc(2026, 12, 1, 8, 0)),
    ],
)
def test_a_digest_notice_waits_for_the_next_digest_hour(now, due):
    assert send_at(prefs(delivery="daily_digest"), now) == due


def test_the_digest_hour_is_local_summer_and_winter():
    london = prefs(delivery="daily_digest", digest_hour=8, time_zone="Europe/London")
    assert send_at(london, utc(2026, 7, 1, 5, 0)) == utc(2026, 7, 1, 7, 0)  # 08:00 BST
    assert send_at(london, utc(2026, 12, 1, 5, 0)) == utc(2026, 12, 1, 8, 0)  # 08:00 GMT


def test_a_digest_hour_the_spring_change_skips_goes_an_hour_late_not_a_day_late():
    # New York, 8 March 2026: 02:00 EST is followed by 03:00 EDT; 02:00 reads as 03:00 EDT
    night_owl = prefs(delivery="daily_digest", digest_hour=2, time_zone="America/New_York")
    assert send_at(night_owl, utc(2026, 3, 8, 5, 0)) == utc(2026, 3, 8, 7, 0)


def test_a_digest_hour_inside_quiet_hours_waits_for_their_end():
    early = prefs(delivery="daily_digest", digest_hour=6, quiet_hours=NIGHTS)
    assert send_at(early, utc(2026, 11, 30, 12, 0)) == utc(2026, 12, 1, 7, 0)


def test_each_kind_of_notice_follows_its_own_switch():
    quiet = prefs(email_on_ready=False, email_on_follow_up_failure=False)
    assert not wanted(quiet, "review_ready")
    assert wanted(quiet, "failure")
    assert not wanted(quiet, "follow_up_failed")
    # Stored before the new switches existed: every kind still goes (the defaults)
    assert all(wanted(prefs(), kind) for kind in ("review_ready", "failure", "follow_up_failed"))


@pytest.mark.parametrize(
    "change",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"time_zone": "../../etc/passwd"},
        {"time_zone": ""},
        {"digest_hour": 24},
        {"delivery": "weekly"},
        {"quiet_hours": {"start": "22:00", "end": "22:00"}},
        {"quiet_hours": {"start": "25:00", "end": "07:00"}},
        {"quiet_hours": {"start": "22:00"}},
    ],
)
def test_invalid_preferences_are_refused(change):
    with pytest.raises(ValidationError):
        prefs(**change)


ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(
    now=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)),
    zone=st.sampled_from(ZONES),
    start=times,
    end=times,
    digest=st.booleans(),
    hour=st.integers(0, 23),
)
def test_a_notice_is_never_due_in_the_past_nor_more_than_two_days_on(
    now, zone, start, end, digest, hour
):
    quiet = None if start == end else {"start": start, "end": end}
    chosen = prefs(
        quiet_hours=quiet,
        time_zone=zone,
        delivery="daily_digest" if digest else "immediately",
        digest_hour=hour,
    )
    moment = now.replace(tzinfo=dt.UTC)
    due = send_at(chosen, moment)
    if due is None:
        # At once only when nothing holds it: no digest, not inside quiet hours
        local = moment.astimezone(zoneinfo.ZoneInfo(zone)).time()
        assert not digest
        assert chosen.quiet_hours is None or not chosen.quiet_hours.covers(local)
    else:
        assert moment < due <= moment + dt.timedelta(days=2)
