"""Date phrases in a question → inclusive ranges of days, relative to the caller's today.

The conventions (the table in tests/unit/test_search_understanding.py is their contract):
weeks start on Monday; a named period ("this week", "last month", "in Q3", "in 2025") is the
whole calendar period; a rolling window ("last 7 days", "past month") ends today; "N weeks
ago" is the calendar week that day falls in; a month, quarter or day named without a year is
the latest one that has begun; numeric dates are day first (12/03/2025 is 12 March). A bare
month name or year counts only after a preposition ("in May", "since 2025"), so "what may
help" and "2025 goals" stay words.

Hand-written rather than `dateparser`: it parses one date, not the ranges and rolling windows
a question carries, and it would add ~10 MB and a slow import to every function's layer.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES = [
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec"),
]  # fmt: skip
MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

_FULL_MONTH = "|".join(names[0] for names in _MONTH_NAMES)
_ANY_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True)) + r"\.?"
_NUM = r"(?:\d{1,3}|" + "|".join(NUMBERS) + ")"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = "|".join(WEEKDAYS)

# One period each; the parsing patterns below read them back.
_ISO = r"\d{4}-\d{1,2}-\d{1,2}"
_NUMERIC = r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"
_DAY_MONTH = rf"(?:the )?{_DAY} (?:of )?(?:{_ANY_MONTH})(?:,? {_YEAR})?"
_MONTH_DAY = rf"(?:{_ANY_MONTH}) {_DAY}(?:,? {_YEAR})?"
_MONTH_YEAR = rf"(?:{_ANY_MONTH}),? (?:of )?{_YEAR}"
_QUARTER = rf"q[1-4](?:,? (?:of )?{_YEAR})?"
_RELATIVE = (
    rf"today|yesterday|(?:this|last|previous) (?:week|month|quarter|year)"
    rf"|{_NUM} (?:day|week|month|quarter|year)s? ago|(?:last|this past) (?:{_WEEKDAY})"
)
# Stand alone in a question; the rest need a preposition before them.
_FREE = "|".join([_ISO, _NUMERIC, _DAY_MONTH, _MONTH_DAY, _MONTH_YEAR, _QUARTER, _RELATIVE])
_ANY = "|".join([_FREE, _FULL_MONTH, _YEAR, _WEEKDAY])
_END = r"(?![\w:/-])"
_PREPOSITION = r"(?:in|during|on|of|for|from|at|over)"

_RANGE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "between",
        re.compile(
            rf"\b(?:between|from) (?P<a>{_ANY}) (?:and|to|until|till|through|-) (?P<b>{_ANY}){_END}"
        ),
    ),
    ("since", re.compile(rf"\b(?:since|starting) (?P<a>{_ANY}){_END}")),
    ("before", re.compile(rf"\b(?:before|prior to) (?P<a>{_ANY}){_END}")),
    ("until", re.compile(rf"\b(?:until|till|up to|through) (?P<a>{_ANY}){_END}")),
    ("after", re.compile(rf"\bafter (?P<a>{_ANY}){_END}")),
    (
        "rolling",
        re.compile(
            rf"\b(?:(?:in|over|during|within|for) )?(?:the )?"
            rf"(?:(?:last|past|previous) (?P<n>{_NUM}) (?P<unit>day|week|month|year)s?"
            rf"|past (?P<unit1>day|week|month|year)){_END}"
        ),
    ),
    # Leftmost first: "the 12th of March" is one day, not "of March".
    (
        "in",
        re.compile(
            rf"\b(?:{_PREPOSITION} (?:the )?(?P<a>{_ANY})|(?:the )?(?P<free>{_FREE})(?:'s)?){_END}"
        ),
    ),
]


@dataclass(frozen=True)
class DatePhrase:
    """Where a date phrase is in the question, and the days it means (None: open)."""

    start: int
    end: int
    date_from: dt.date | None
    date_to: dt.date | None


Period = tuple[dt.date, dt.date]


def find_dates(text: str, today: dt.date) -> list[DatePhrase]:
    """Every date phrase in ``text`` (case-insensitive), longest forms first."""
    lowered = text.lower().replace("\u2019", "'")
    found: list[DatePhrase] = []
    for kind, pattern in _RANGE_PATTERNS:
        for match in pattern.finditer(lowered):
            phrase = _phrase(kind, match, today)
            if phrase is None:
                continue
            found.append(phrase)
            # Mask what was taken so that a shorter pattern never reads it again.
            lowered = (
                lowered[: match.start()]
                + " " * (match.end() - match.start())
                + lowered[match.end() :]
            )
    return sorted(found, key=lambda phrase: phrase.start)


def _phrase(kind: str, match: re.Match[str], today: dt.date) -> DatePhrase | None:
    if kind == "rolling":
        unit = match["unit"] or match["unit1"]
        count = _number(match["n"]) if match["n"] else 1
        start = _shift(today, unit, -count) + dt.timedelta(days=1)
        return DatePhrase(match.start(), match.end(), start, today)
    first = period(match.groupdict().get("a") or match["free"], today)
    if first is None:
        return None
    if kind == "between":
        second = period(match["b"], today)
        if second is None:
            return None
        return DatePhrase(match.start(), match.end(), first[0], second[1])
    date_from, date_to = {
        "since": (first[0], today),
        "before": (None, first[0] - dt.timedelta(days=1)),
        "until": (None, first[1]),
        "after": (first[1] + dt.timedelta(days=1), None),
        "in": first,
    }[kind]
    return DatePhrase(match.start(), match.end(), date_from, date_to)


_READERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "iso"),
    (re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})"), "numeric"),
    (re.compile(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?(?:,? (\d{4}))?"), "dm"),
    (re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?"), "md"),
    (re.compile(r"([a-z]+)\.?,? (?:of )?(\d{4})"), "month_year"),
    (re.compile(r"q([1-4])(?:,? (?:of )?(\d{4}))?"), "quarter"),
    (re.compile(r"(\d{4})"), "year"),
    (re.compile(r"(this|last|previous) (week|month|quarter|year)"), "named"),
    (re.compile(rf"({_NUM}) (day|week|month|quarter|year)s? ago"), "ago"),
    (re.compile(r"(?:last |this past )?([a-z]+)"), "word"),
]


def period(words: str, today: dt.date) -> Period | None:
    """The days one phrase ("12 March", "last month", "Q3 2025") means; None if none."""
    for pattern, form in _READERS:
        match = pattern.fullmatch(words.strip())
        if match:
            try:
                return _read(form, match.groups(), today)
            except (ValueError, KeyError):
                return None  # 31 February, "13/13/2025": not a date after all
    return None


def _read(form: str, parts: tuple[str | None, ...], today: dt.date) -> Period | None:  # noqa: PLR0911 (one answer per form)
    if form == "iso":
        return _day(dt.date(int(parts[0] or ""), int(parts[1] or ""), int(parts[2] or "")))
    if form == "numeric":
        year = int(parts[2] or "")
        return _day(
            dt.date(year + 2000 if year < 100 else year, int(parts[1] or ""), int(parts[0] or ""))
        )
    if form in {"dm", "md"}:
        day, month = (parts[0], parts[1]) if form == "dm" else (parts[1], parts[0])
        return _day(_day_of(MONTHS[month or ""], int(day or ""), parts[2], today))
    if form == "month_year":
        return _month(int(parts[1] or ""), MONTHS[parts[0] or ""])
    if form == "quarter":
        return _quarter(parts[1], int(parts[0] or ""), today)
    if form == "year":
        return dt.date(int(parts[0] or ""), 1, 1), dt.date(int(parts[0] or ""), 12, 31)
    if form == "named":
        offset = 0 if parts[0] == "this" else -1
        return _containing(_shift(today, parts[1] or "", offset), parts[1] or "")
    if form == "ago":
        unit = parts[1] or ""
        return _containing(_shift(today, unit, -_number(parts[0] or "")), unit)
    return _word(parts[0] or "", today)


def _word(word: str, today: dt.date) -> Period | None:
    if word == "today":
        return _day(today)
    if word == "yesterday":
        return _day(today - dt.timedelta(days=1))
    if word in WEEKDAYS:  # the latest one before today
        back = (today.weekday() - WEEKDAYS.index(word)) % 7 or 7
        return _day(today - dt.timedelta(days=back))
    if word in MONTHS:
        month = MONTHS[word]
        return _month(today.year if month <= today.month else today.year - 1, month)
    return None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word]


def _day(day: dt.date) -> Period:
    return day, day


def _day_of(month: int, day: int, year: str | None, today: dt.date) -> dt.date:
    if year:
        return dt.date(int(year), month, day)
    this_year = dt.date(today.year, month, day)
    return this_year if this_year <= today else dt.date(today.year - 1, month, day)


def _month(year: int, month: int) -> Period:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _quarter(year: str | None, quarter: int, today: dt.date) -> Period:
    first_month = 3 * (quarter - 1) + 1
    if year:
        number = int(year)
    else:
        number = today.year if first_month <= today.month else today.year - 1
    return _month(number, first_month)[0], _month(number, first_month + 2)[1]


def _containing(day: dt.date, unit: str) -> Period:
    """The calendar day, week (Monday first), month, quarter or year ``day`` falls in."""
    if unit == "day":
        return _day(day)
    if unit == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if unit == "month":
        return _month(day.year, day.month)
    if unit == "quarter":
        return _quarter(str(day.year), (day.month - 1) // 3 + 1, day)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def _shift(day: dt.date, unit: str, count: int) -> dt.date:
    """``day`` moved by ``count`` units; a month's day past the end of the month is clamped."""
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * count
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
