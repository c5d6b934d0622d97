"""When an action item is due: the date its own words name, counted from the session date.

``resolve_due(text, session_date)`` finds the date phrases of one item and resolves them.
The table it is measured on is ``tests/unit/data/due_dates.csv`` (``bench/quality.py``).
The rules, in one place (S is the session date):

* **Weekdays**: "Friday", "by Friday", "on Friday", "the coming Friday" - the first one after
  S (1 to 7 days on: said on a Friday, "by Friday" is a week later). "this Friday" - the one
  of S's week if not past, so said on a Friday it is S (0 to 6 days on). "next Friday",
  "Friday next week" - the Friday of the calendar week (Monday to Sunday) after S's.
  "Friday week", "a week from Friday" - a week after the coming Friday. Abbreviations
  ("Fri", "Weds") only after a preposition or "this"/"next".
* **Days**: "today", "tonight", "this morning/afternoon/evening", "end of day", "EOD",
  "close of play" - S; "tomorrow", "tmrw" - S+1; "the day after tomorrow" - S+2.
* **Weeks** (a deadline means the end of the working week): "this week", "within the week",
  "end of the week", "EOW" - the Friday of S's week (a week later if already past); "next
  week", "the following week", "end of next week" - the Friday of the next week; "the week
  after next" - the Friday after that; "this time next week" - S+7. "this weekend", "over
  the weekend" - the Sunday of S's week; "next weekend" - the Sunday after it.
* **Months and longer** (a span resolves to its last day): "end of the month", "this month",
  "EOM" - the last day of S's month (S itself if S is that day); "next month", "end of next
  month" - the last day of the next one; "in December" - the last day of the next December
  (this one if S is in it); "end of the quarter", "end of the year". "by June" - 1 June (by
  the time it comes), "before June" - 31 May. "May" and "March" count only capitalised.
* **Durations**: "in two weeks", "within 10 days", "in a fortnight", "in a couple of weeks",
  "within 48 hours" (whole days), "in a month" (the same day a month on, the month's last
  day if it has no such day).
* **Days of the month**: "by the 3rd", "by 3rd", "on the fifteenth" - the next such day
  strictly after S (next month when this month's is past or today).
* **Explicit dates**: "12 March", "March 12", "12th of March", "Mar. 12th", with or without a
  year; without one, the next such day on or after S. Numeric: ISO "2026-12-15"; "d/m" and
  "m/d" (with an optional year) only when one reading is impossible ("13/12", "12/13"):
  "3/12" is 3 December to a European and 12 March to an American, so it stays null with its
  phrase; without a year only after a preposition ("5/5" alone is a score). Holidays:
  "Christmas", "Xmas", "Christmas Eve", "New Year", "New Year's Eve/Day".
* **"before"** a day ("before Friday", "before the fifteenth", "before Christmas") is the day
  before it; before the end of a span ("before the end of the month") is that end. **"after"**
  a day says when it may start, not when it is due: the phrase is kept, the date null.
* **Kept, but null**: what needs the coaching cadence or is vague - "next session", "before
  we meet again", "next time we meet", "early next week", "in a few days", "in the coming
  days", "mid-December", "before the holidays", "in the new year", "as soon as possible",
  "every Monday" (a routine, not a deadline).
* **The past** is no due date: "last Friday", "this past Monday", "yesterday" name none, and
  no weekday inside them counts.
* **Several phrases** in one item ("start tomorrow and finish by Friday"): the latest date,
  as the item is done when its last part is; of two naming the same day ("on Friday 4
  December") the first; a longer phrase wins over one inside it ("Monday next week" over
  "next week"). No dated phrase: the first null one. None at all: ``None``.

Measured (``bench/quality.py``) on the table's first 117 rows, written before any rule, and
on its next 45, written after the first rules and before they were extended: the first rules
got 0.60 of those 45 right, the best estimate of how they do on wording nobody tuned them
to; they now resolve every row. dateparser (PyPI, 1.5) gets 0.56 of all 162 (0.51 of the 45):
it reads weekdays and explicit dates, but misses "this weekend" and "before the fifteenth",
takes "next week" for S+7, reads "3/12" month first and "we" in "before we meet again" as
Wednesday, so it is not a dependency (``bench/quality.py`` prints its figure when it is
installed).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Due:
    """A due date and the words it came from; ``date`` None: said, but not resolvable."""

    date: dt.date | None
    phrase: str


_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_MONTHS = {
    name.casefold(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
}
_ORDINAL_UNITS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
]
_ORDINALS = (
    {word: n for n, word in enumerate(_ORDINAL_UNITS, start=1)}
    | {
        "tenth": 10,
        "eleventh": 11,
        "twelfth": 12,
        "thirteenth": 13,
        "fourteenth": 14,
        "fifteenth": 15,
        "sixteenth": 16,
        "seventeenth": 17,
        "eighteenth": 18,
        "nineteenth": 19,
        "twentieth": 20,
        "thirtieth": 30,
    }
    | {f"twenty-{word}": 20 + n for n, word in enumerate(_ORDINAL_UNITS, start=1)}
    | {"thirty-first": 31}
)


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation, longest first so that "friday" is tried before "fri"."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_FULL_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ANY_DAY = rf"(?:{_alternatives(_WEEKDAYS)})"
# "may" and "march" are verbs too: as months only when capitalised.
_ORDINAL_PARTS = frozenset(part for word in _ORDINALS for part in word.split("-"))
_DAY_WORDS = frozenset(
    "tomorrow tmrw tmr today tonight morning afternoon evening day eod close cob".split()
)
_VAGUE_WORDS = frozenset(
    "next again early mid late few coming asap possible every holidays new".split()
)
_DURATION_WORDS = frozenset("hour hours day days week weeks month months fortnight".split())
_VERBS_TOO = frozenset({"may", "march", "mar"})
_MONTH = rf"(?:(?-i:May|MAY|March|MARCH|Mar)|{_alternatives(set(_MONTHS) - _VERBS_TOO)})"
_ORDINAL_WORD = _alternatives(_ORDINALS).replace("\\-", "[- ]")
_DAY_NUMBER = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORD})"
_COUNT = rf"(?:\d+|{_alternatives(_NUMBERS)})"
_PREP = r"(?:(?P<prep>by|on|before|until|till|til|no later than|not later than|after)\s+)"
_APOSTROPHE = "['\u2019]"
# "on the second point" is no date: a day of the month is followed by nothing, or by a word
# that joins on ("by the 3rd of the month", "by the 15th at the latest").
_NOT_A_DAY = r"(?!\s+(?!(?:of|at|and|or|so|then|to|but|if|when|latest)\b)[a-z])"


_Resolver = Callable[[re.Match[str], dt.date], dt.date | None]


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    phrase: str
    date: dt.date | None
    resolver: _Resolver


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    resolver: _Resolver
    needs: frozenset[str]  # words one of which the pattern cannot match without
    point: bool  # a day: "before" it is the day before


_RULES: list[_Rule] = []
_DIGIT = "0"  # in ``needs``: a digit


def _rule(
    pattern: str, *, needs: Iterable[str], point: bool = False
) -> Callable[[_Resolver], _Resolver]:
    """Registers a resolver for a pattern. A rule runs only on a text with one of the words
    it ``needs``: most sentences name no date, and twenty patterns cost more than a look."""

    def register(resolver: _Resolver) -> _Resolver:
        compiled = re.compile(rf"\b{pattern}(?![\w/-])", re.IGNORECASE)
        _RULES.append(_Rule(compiled, resolver, frozenset(needs), point))
        return resolver

    return register


def resolve_due(text: str, session_date: dt.date | None) -> Due | None:
    """The due date an item's words name; None when they name none. Without a session date
    the phrase is still found, with a null date."""
    found = [f for f in _longest_first(_candidates(text, session_date)) if f.resolver != _past]
    # The latest date; of phrases naming the same day ("on Friday 4 December"), the first.
    dated = [(f.date, -f.start, f.phrase) for f in found if f.date is not None]
    if dated:
        date, _, phrase = max(dated)
        return Due(date, phrase)
    if found:
        first = min(found, key=lambda f: f.start)
        return Due(None, first.phrase)
    return None


def _candidates(text: str, session_date: dt.date | None) -> list[_Found]:
    words = set(re.findall(r"[a-z]+", text.casefold()))
    if any(c.isdigit() for c in text):
        words.add(_DIGIT)
    found = []
    for rule in _RULES:
        if rule.needs.isdisjoint(words):
            continue
        for match in rule.pattern.finditer(text):
            date = _resolved(rule.resolver, match, session_date)
            prep = (match.groupdict().get("prep") or "").casefold()
            if date is not None and rule.point and prep == "before":
                date -= dt.timedelta(days=1)
            if prep == "after":  # when it may start, not when it is due
                date = None
            found.append(_Found(match.start(), match.end(), match.group(0), date, rule.resolver))
    return found


def _resolved(
    resolver: _Resolver, match: re.Match[str], session_date: dt.date | None
) -> dt.date | None:
    if session_date is None:
        return None
    try:
        date = resolver(match, session_date)
        if date is not None and date.toordinal() > 1:  # "before" takes a day off
            return date
        return None
    except (OverflowError, ValueError):  # "in 99999999 days", or past the year 9999
        return None


def _longest_first(found: list[_Found]) -> list[_Found]:
    """The phrases that are not inside a longer one."""
    kept: list[_Found] = []
    for candidate in sorted(found, key=lambda f: (f.start - f.end, f.start)):
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return kept


# --- said, but about the past: no due date, and no weekday inside counts either ----------


@_rule(
    rf"(?:(?:this\s+)?past|last|previous)\s+(?:{_FULL_DAY}|week|weekend|month|year|time|session)"
    r"|yesterday",
    needs={"last", "past", "previous", "yesterday"},
)
def _past(match: re.Match[str], session: dt.date) -> dt.date | None:
    return None


# --- said, but not resolvable without more than the words --------------------------------


@_rule(
    r"(?:(?:by|before|until|at|for|in)\s+)?(?:(?:our|the)\s+)?next\s+"
    r"(?:session|call|meeting|check-in|time(?:\s+we\s+(?:meet|talk|speak))?)"
    r"|before\s+we\s+(?:meet|talk|speak)\s+again"
    rf"|early\s+next\s+week|(?:in|within)\s+(?:a\s+)?few\s+(?:days|weeks)"
    r"|(?:in|within|over)\s+the\s+(?:next|coming)\s+(?:few\s+)?(?:days|weeks)"
    rf"|(?:{_PREP})?(?:early|mid|late)[- ]?(?:{_MONTH}\b|next\s+month|this\s+month)"
    r"|(?:before|over|after)\s+the\s+holidays|in\s+the\s+new\s+year"
    rf"|as\s+soon\s+as\s+possible|asap|every\s+(?:{_FULL_DAY}|day|week|morning|evening|month)",
    needs=_VAGUE_WORDS,
)
def _unresolved(match: re.Match[str], session: dt.date) -> dt.date | None:
    return None


# --- days ------------------------------------------------------------------------------


@_rule(
    rf"{_PREP}?(?:the\s+day\s+after\s+tomorrow|tomorrow|tmrw|tmr|today|tonight|later\s+today"
    r"|this\s+(?:morning|afternoon|evening)|(?:the\s+)?end\s+of\s+(?:the\s+day|day|today)"
    r"|eod|close\s+of\s+(?:business|play)|cob)",
    point=True,
    needs=_DAY_WORDS,
)
def _relative_day(match: re.Match[str], session: dt.date) -> dt.date | None:
    words = match.group(0).casefold()
    if "after tomorrow" in words:
        return session + dt.timedelta(days=2)
    if "tomorrow" in words or words.endswith(("tmrw", "tmr")):
        return session + dt.timedelta(days=1)
    return session


@_rule(
    rf"{_PREP}?(?P<which>this\s+coming|this|next|the\s+coming|coming)\s+(?P<day>{_ANY_DAY})",
    point=True,
    needs=_WEEKDAYS,
)
def _qualified_weekday(match: re.Match[str], session: dt.date) -> dt.date | None:
    day = _WEEKDAYS[match["day"].casefold()]
    which = match["which"].casefold()
    if which == "this" and day >= session.weekday():
        return _monday(session) + dt.timedelta(days=day)
    if which == "next":
        return _monday(session) + dt.timedelta(days=7 + day)
    return _next_weekday(session, day)


@_rule(rf"{_PREP}?(?P<day>{_FULL_DAY})\s+next\s+week", point=True, needs=_WEEKDAYS)
def _weekday_next_week(match: re.Match[str], session: dt.date) -> dt.date | None:
    return _monday(session) + dt.timedelta(days=7 + _WEEKDAYS[match["day"].casefold()])


# British "Friday week", and "a week from Friday": a week after the coming Friday.
@_rule(
    rf"{_PREP}?(?:(?P<day>{_FULL_DAY})\s+week|a\s+week\s+(?:from|on)\s+(?P<from>{_FULL_DAY}))",
    needs=_WEEKDAYS,
)
def _weekday_week(match: re.Match[str], session: dt.date) -> dt.date | None:
    day = _WEEKDAYS[(match["day"] or match["from"]).casefold()]
    return _next_weekday(session, day) + dt.timedelta(days=7)


@_rule(rf"(?:{_PREP}(?P<short>{_ANY_DAY})|(?P<day>{_FULL_DAY}))", point=True, needs=_WEEKDAYS)
def _weekday(match: re.Match[str], session: dt.date) -> dt.date | None:
    name = (match["short"] or match["day"]).casefold()
    return _next_weekday(session, _WEEKDAYS[name])


# --- weeks -----------------------------------------------------------------------------


@_rule(
    rf"{_PREP}?(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<this>week)|(?P<this_>this\s+week)"
    r"|(?P<eow>eow)|(?:within|during)\s+the\s+week"
    r"|(?:the\s+)?end\s+of\s+(?P<next>next\s+week)|(?P<next_>next\s+week|the\s+following\s+week)"
    r"|(?P<after>the\s+week\s+after\s+next)|(?P<time>this\s+time\s+next\s+week))",
    needs={"week", "eow"},
)
def _week(match: re.Match[str], session: dt.date) -> dt.date | None:
    if match["time"]:
        return session + dt.timedelta(days=7)
    friday = _monday(session) + dt.timedelta(days=4)
    if match["next"] or match["next_"]:
        return friday + dt.timedelta(days=7)
    if match["after"]:
        return friday + dt.timedelta(days=14)
    return friday if friday >= session else friday + dt.timedelta(days=7)


@_rule(rf"(?:{_PREP}|over\s+|at\s+)?(?:the\s+|this\s+|(?P<next>next)\s+)weekend", needs={"weekend"})
def _weekend(match: re.Match[str], session: dt.date) -> dt.date | None:
    sunday = _monday(session) + dt.timedelta(days=6)
    return sunday + dt.timedelta(days=7) if match["next"] else sunday


# --- months, quarters, years ---------------------------------------------------------


@_rule(
    rf"{_PREP}?(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<this>month|quarter|year)"
    r"|this\s+(?P<this_>month|quarter|year)|(?P<span>month|quarter|year)[- ]end|(?P<eom>eom)"
    r"|(?:the\s+)?end\s+of\s+next\s+(?P<next>month|quarter|year)"
    r"|next\s+(?P<next_>month|quarter|year))",
    needs={"month", "quarter", "year", "eom"},
)
def _span_end(match: re.Match[str], session: dt.date) -> dt.date | None:
    span = "month" if match["eom"] else (match["this"] or match["this_"] or match["span"] or "")
    span = span.casefold()
    ahead = 0
    if not span:
        span, ahead = (match["next"] or match["next_"]).casefold(), 1
    if span == "month":
        return _month_end(*_add_months(session.year, session.month, ahead))
    if span == "quarter":
        last_month = (session.month - 1) // 3 * 3 + 3
        return _month_end(*_add_months(session.year, last_month, 3 * ahead))
    return dt.date(session.year + ahead, 12, 31)


@_rule(rf"{_PREP}?(?:(?:the\s+)?end\s+of|in)\s+(?P<month>{_MONTH})(?!\s*\d)", needs=_MONTHS)
def _named_month(match: re.Match[str], session: dt.date) -> dt.date | None:
    month = _MONTHS[match["month"].casefold()]
    year = session.year if month >= session.month else session.year + 1
    return _month_end(year, month)


# "by June" is by the time June comes; "before June" the day before it.
@_rule(rf"{_PREP}(?P<month>{_MONTH})(?!\s*\d)", point=True, needs=_MONTHS)
def _month_start(match: re.Match[str], session: dt.date) -> dt.date | None:
    month = _MONTHS[match["month"].casefold()]
    if month == session.month:
        return _month_end(session.year, month)
    return dt.date(session.year if month > session.month else session.year + 1, month, 1)


# --- durations -------------------------------------------------------------------------


@_rule(
    rf"(?:(?:in|within)\s+(?:the\s+next\s+)?(?P<count>{_COUNT})\s+(?P<unit>hour|day|week|month)s?"
    r"|(?:in|within)\s+(?:a\s+)?(?P<fortnight>fortnight)"
    rf"|(?P<count_>{_COUNT})\s+(?P<unit_>day|week|month)s?\s+from\s+(?:now|today))",
    needs=_DURATION_WORDS,
)
def _duration(match: re.Match[str], session: dt.date) -> dt.date | None:
    if match["fortnight"]:
        return session + dt.timedelta(days=14)
    count_word = " ".join((match["count"] or match["count_"]).casefold().split())
    count = int(count_word) if count_word.isdigit() else _NUMBERS[count_word]
    unit = (match["unit"] or match["unit_"]).casefold()
    if unit == "month":
        year, month = _add_months(session.year, session.month, count)
        return dt.date(year, month, min(session.day, calendar.monthrange(year, month)[1]))
    if unit == "hour":
        return session + dt.timedelta(days=count // 24)
    return session + dt.timedelta(days=count * (7 if unit == "week" else 1))


# --- dates -------------------------------------------------------------------------------


@_rule(
    rf"{_PREP}?(?:the\s+)?(?P<day>{_DAY_NUMBER})(?:\s+of)?\s+(?P<month>{_MONTH})"
    r"(?:,?\s+(?P<year>\d{4}))?",
    point=True,
    needs=_MONTHS,
)
def _day_month(match: re.Match[str], session: dt.date) -> dt.date | None:
    return _explicit(session, match["day"], match["month"], match["year"])


@_rule(
    rf"{_PREP}?(?P<month>{_MONTH})\.?\s+(?:the\s+)?(?P<day>{_DAY_NUMBER})"
    r"(?:,?\s+(?P<year>\d{4}))?",
    point=True,
    needs=_MONTHS,
)
def _month_day(match: re.Match[str], session: dt.date) -> dt.date | None:
    return _explicit(session, match["day"], match["month"], match["year"])


@_rule(
    rf"{_PREP}the\s+(?P<day>{_DAY_NUMBER}){_NOT_A_DAY}", point=True, needs={_DIGIT, *_ORDINAL_PARTS}
)
@_rule(rf"{_PREP}(?P<day>\d{{1,2}}(?:st|nd|rd|th)){_NOT_A_DAY}", point=True, needs={_DIGIT})
def _day_of_month(match: re.Match[str], session: dt.date) -> dt.date | None:
    day = _day_number(match["day"])
    if not 1 <= day <= 31:
        return None
    year, month = session.year, session.month
    for _ in range(13):  # the next month that has this day
        if day <= calendar.monthrange(year, month)[1] and dt.date(year, month, day) > session:
            return dt.date(year, month, day)
        year, month = _add_months(year, month, 1)
    return None


@_rule(
    rf"{_PREP}?(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}})", point=True, needs={_DIGIT}
)
def _iso(match: re.Match[str], session: dt.date) -> dt.date | None:
    return _date_or_none(int(match["year"]), int(match["month"]), int(match["day"]))


# Without a year, only after a preposition: "5/5" alone is a score more often than a date.
@_rule(
    rf"{_PREP}?(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<year>\d{{2}}|\d{{4}})",
    point=True,
    needs={_DIGIT},
)
@_rule(rf"{_PREP}(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?P<year>)", point=True, needs={_DIGIT})
def _numeric(match: re.Match[str], session: dt.date) -> dt.date | None:
    a, b = int(match["a"]), int(match["b"])
    if a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a or a == b:
        day, month = b, a
    else:
        return None  # day first or month first: both are dates
    if match["year"]:
        year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
        return _date_or_none(year, month, day)
    return _on_or_after(session, month, day)


@_rule(
    rf"{_PREP}?(?P<name>christmas\s+eve|christmas(?:\s+day)?|xmas|new\s+year{_APOSTROPHE}?s?\s+eve"
    rf"|new\s+year(?:{_APOSTROPHE}?s)?(?:\s+day)?)",
    point=True,
    needs={"christmas", "xmas", "new"},
)
def _holiday(match: re.Match[str], session: dt.date) -> dt.date | None:
    name = " ".join(match["name"].casefold().split())
    if name.startswith(("christmas", "xmas")):
        return _on_or_after(session, 12, 24 if name.endswith("eve") else 25)
    return _on_or_after(session, 12, 31) if name.endswith("eve") else _on_or_after(session, 1, 1)


# --- calendar arithmetic ---------------------------------------------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _next_weekday(session: dt.date, weekday: int) -> dt.date:
    return session + dt.timedelta(days=(weekday - session.weekday()) % 7 or 7)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day_number(word: str) -> int:
    digits = re.match(r"\d+", word)
    if digits:
        return int(digits.group(0))
    return _ORDINALS.get(re.sub(r"[- ]+", "-", word.casefold()), 0)


def _explicit(session: dt.date, day: str, month: str, year: str | None) -> dt.date | None:
    number, month_number = _day_number(day), _MONTHS[month.casefold()]
    if year:
        return _date_or_none(int(year), month_number, number)
    return _on_or_after(session, month_number, number)


def _on_or_after(session: dt.date, month: int, day: int) -> dt.date | None:
    """The next ``day`` of ``month`` on or after the session (this year's, else next year's)."""
    this_year = _date_or_none(session.year, month, day)
    if this_year is not None and this_year >= session:
        return this_year
    return _date_or_none(session.year + 1, month, day)


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
