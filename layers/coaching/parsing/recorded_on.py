"""The day a transcript was recorded, when the file itself says so.

Read only where an export writes it: the front matter of a document (Teams' .docx 'March 3,
2025, 10:00AM' line under the title, Google Meet's date under its title), a Word
document's own creation date, a Fireflies API transcript's `date` / `dateString`. Dates
are read strictly: year first (ISO), or with the month as a word; a numeric day and month
only when one reading alone is a real date (13/04/2025). An impossible date, or a line
holding two different dates, gives None: a wrong date would move every due date, so
nothing is guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable

from coaching.parsing.speakers import split_speaker
from coaching.parsing.timestamps import CLOCK

# A recording older than this, or far in the future, is a wrong clock, not a session.
_EARLIEST_YEAR = 1990
_LATEST_YEAR = 2100
# The front matter is a title, a date, a duration, a few headings: never many lines.
_FRONT_MATTER_LINES = 12
# Labels a header may put before its date ('Date: 3 March 2025'): not speakers.
_DATE_LABELS = frozenset({"date", "recorded", "recorded on", "meeting date", "session date"})

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_PATTERNS = (
    # 2025-03-03, 2025/03/03, 2025.03.03
    re.compile(r"(?<![\d/.-])(?P<year>\d{4})([-/.])(?P<month>\d{1,2})\2(?P<day>\d{1,2})(?![\d])"),
    # March 3, 2025 / Mar 3rd 2025
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    # 3 March 2025 / 3rd of March, 2025
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
)
# 13/04/2025 or 13.04.2025: day first or month first, read only when just one is a date.
_NUMERIC = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})([/.])(?P<b>\d{1,2})\2(?P<year>\d{4})(?![\d])")
# Where a document's turns start: a cue timing, a clock alone, a 'Name   0:03' or
# 'Name (00:03):' header. A speaker's 'Name: ' prefix is checked apart.
_TURN_MARKER = re.compile(rf"-->|^{CLOCK}$|\s{CLOCK}$|\({CLOCK}\):?$|\[{CLOCK}\]:?$")


def date_in_line(line: str) -> dt.date | None:
    """The one date a line holds, or None if it holds none, an impossible one, or two."""
    found: set[dt.date | None] = set()
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(line):
            spans.append(match.span())
            found.add(_date(match["year"], _month_number(match["month"]), match["day"]))
    for match in _NUMERIC.finditer(line):
        if any(start <= match.start() < end for start, end in spans):
            continue
        readings = {
            _date(match["year"], match["b"], match["a"]),  # day first
            _date(match["year"], match["a"], match["b"]),  # month first
        } - {None}
        found.add(readings.pop() if len(readings) == 1 else None)
    if len(found) != 1:
        return None
    return found.pop()


def front_matter_date(lines: Iterable[str]) -> dt.date | None:
    """The date in a document's lines before its first turn (title, date, headings)."""
    for number, raw in enumerate(lines):
        line = raw.strip()
        if number >= _FRONT_MATTER_LINES:
            break
        if not line:
            continue
        speaker, rest = split_speaker(line)
        if speaker is not None:
            if speaker.lower() not in _DATE_LABELS:
                break  # the turns have started: a date in someone's words is no header
            line = rest
        found = date_in_line(line)
        if found is not None:
            return found
        if _TURN_MARKER.search(line):
            break
    return None


def plausible(day: dt.date | dt.datetime | None) -> dt.date | None:
    """The day, unless it is outside the years a recording can come from."""
    if day is None:
        return None
    day = day.date() if isinstance(day, dt.datetime) else day
    return day if _EARLIEST_YEAR <= day.year <= _LATEST_YEAR else None


def from_epoch_millis(value: object) -> dt.date | None:
    """A UTC day from milliseconds since the epoch (as Fireflies writes `date`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    try:
        moment = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return plausible(moment)


def from_iso_string(value: object) -> dt.date | None:
    """The day of an ISO 8601 date or date-time ('2025-03-03T10:00:00.000Z')."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return plausible(moment)


def _month_number(month: str) -> str:
    return month if month.isdigit() else str(_MONTHS[month.lower().rstrip(".")])


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return plausible(dt.date(int(year), int(month), int(day)))
    except ValueError:
        return None
