"""Due dates: every row of the table written before the resolver (tests/unit/data/due_dates.csv)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.analysis.due_dates import Due, resolve_due

TABLE = Path(__file__).parent / "data" / "due_dates.csv"


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table))


@pytest.mark.parametrize("row", _rows(), ids=lambda row: f"{row['session_date']}:{row['text']}")
def test_the_table_row_resolves_as_written(row: dict[str, str]) -> None:
    # Given an item's words and the session date
    session = dt.date.fromisoformat(row["session_date"])

    # When its due date is resolved
    due = resolve_due(row["text"], session)

    # Then the date (or null) and the words it came from are the table's
    if not row["phrase"]:
        assert due is None
    else:
        expected = dt.date.fromisoformat(row["due"]) if row["due"] else None
        assert due == Due(expected, row["phrase"])


def test_the_table_has_at_least_sixty_phrasings_and_a_second_session_date() -> None:
    rows = _rows()
    assert len(rows) >= 60
    assert len({row["session_date"] for row in rows}) >= 2


# -- properties: what holds for every session date -------------------------------------------

SESSIONS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 11, 30))
# No deadline: on a shared two-core machine a property's wall-clock time says nothing.
NO_DEADLINE = settings(deadline=None)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@NO_DEADLINE
@given(text=st.text(max_size=200), session=SESSIONS)
def test_any_text_gives_none_or_a_phrase_of_its_own_words(text: str, session: dt.date) -> None:
    due = resolve_due(text, session)
    assert due is None or (due.phrase and due.phrase in text)


@NO_DEADLINE
@given(session=SESSIONS, weekday=st.sampled_from(WEEKDAYS), prep=st.sampled_from(["by", "on"]))
def test_a_named_weekday_is_that_day_within_the_coming_week(
    session: dt.date, weekday: str, prep: str
) -> None:
    due = resolve_due(f"I'll send it {prep} {weekday}.", session)
    assert due is not None and due.date is not None
    assert due.date.weekday() == WEEKDAYS.index(weekday)
    assert 1 <= (due.date - session).days <= 7


@NO_DEADLINE
@given(session=SESSIONS)
def test_next_week_is_the_friday_of_the_following_calendar_week(session: dt.date) -> None:
    due = resolve_due("I'll finish it next week.", session)
    assert due is not None and due.date is not None
    assert due.date.weekday() == 4
    assert due.date.isocalendar()[:2] == (session + dt.timedelta(days=7)).isocalendar()[:2]


@NO_DEADLINE
@given(session=SESSIONS, day=st.integers(min_value=1, max_value=31))
def test_a_day_of_the_month_is_the_next_such_day_after_the_session(
    session: dt.date, day: int
) -> None:
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day, "th")
    due = resolve_due(f"I'll pay it by the {day}{suffix}.", session)
    assert due is not None and due.date is not None
    assert due.date.day == day and 0 < (due.date - session).days <= 62


@NO_DEADLINE
@given(session=SESSIONS, days=st.integers(min_value=1, max_value=400))
def test_in_n_days_is_n_days_on(session: dt.date, days: int) -> None:
    due = resolve_due(f"I'll decide within {days} days.", session)
    assert due == Due(session + dt.timedelta(days=days), f"within {days} days")
