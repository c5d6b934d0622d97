"""Due dates: every row of the table written before the resolver (tests/unit/data/due_dates.csv)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

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
