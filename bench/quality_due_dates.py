"""Due dates: accuracy of ``resolve_due`` on the table written before it, beside baselines.

A row is right when the resolved date is the table's (null when the table says null: an
ambiguous phrase stays null). Baselines: always null; the rule the offline analyzer had before
issue 16 (weekdays, "tomorrow", "next week", "end of the week/month"); dateparser's
``search_dates`` (its first date, future preferred) when dateparser is installed.

    .venv/bin/python bench/quality_due_dates.py
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))

from coaching.analysis.due_dates import resolve_due  # noqa: E402

TABLE = REPO / "tests" / "unit" / "data" / "due_dates.csv"

Resolver = Callable[[str, dt.date], dt.date | None]


def due_dates_report(table: Path = TABLE) -> dict[str, str]:
    with table.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    report = {"phrasings": str(len(rows))}
    resolvers: dict[str, Resolver | None] = {
        "resolve_due": _resolved,
        "baseline: always null": lambda text, session: None,
        "baseline: the rule before issue 16": _before_issue_16,
        "baseline: dateparser search_dates": _dateparser(),
    }
    for name, resolver in resolvers.items():
        if resolver is None:
            report[name] = "(dateparser not installed)"
            continue
        right = sum(_expected(row) == resolver(row["text"], _session(row)) for row in rows)
        report[name] = f"{right / len(rows):.3f} ({right}/{len(rows)})"
    return report


def _resolved(text: str, session: dt.date) -> dt.date | None:
    due = resolve_due(text, session)
    return due.date if due else None


def _session(row: dict[str, str]) -> dt.date:
    return dt.date.fromisoformat(row["session_date"])


def _expected(row: dict[str, str]) -> dt.date | None:
    return dt.date.fromisoformat(row["due"]) if row["due"] else None


def _dateparser() -> Resolver | None:
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None

    def resolve(text: str, session: dt.date) -> dt.date | None:
        base = dt.datetime(session.year, session.month, session.day, 12)
        settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"}
        found = search_dates(text, languages=["en"], settings=settings)
        return found[0][1].date() if found else None

    return resolve


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_OLD_DUE = re.compile(
    r"\b(by|on|before|until|this|next)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|tomorrow|next week|end of (the )?week|end of (the )?month)\b",
    re.IGNORECASE,
)


def _before_issue_16(text: str, session: dt.date) -> dt.date | None:
    """The offline analyzer's rule before issue 16, kept here as the baseline."""
    match = _OLD_DUE.search(text)
    if not match:
        return None
    word = match.group(2).casefold()
    if word == "tomorrow":
        return session + dt.timedelta(days=1)
    if word == "next week":
        return session + dt.timedelta(days=7)
    if word.startswith("end of") and word.endswith("week"):
        return session + dt.timedelta(days=(4 - session.weekday()) % 7)
    if word.startswith("end of"):
        following = (session.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    ahead = (_WEEKDAYS.index(word) - session.weekday()) % 7 or 7
    if (match.group(1) or "").casefold() == "next":
        ahead += 7 if ahead < 7 else 0
    return session + dt.timedelta(days=ahead)


if __name__ == "__main__":
    for key, value in due_dates_report().items():
        print(f"  {key:<40} {value}")
