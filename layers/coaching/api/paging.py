"""Offset pages: the store is asked for one row more than the page, so the answer knows
whether a next page exists without counting every row."""

from __future__ import annotations

from typing import TypeVar

Item = TypeVar("Item")


def one_more_than(limit: int) -> int:
    """What to ask the store for: ``limit`` rows, and one to tell whether more follow."""
    return limit + 1


def offset_page(found: list[Item], limit: int, offset: int) -> tuple[list[Item], int | None]:
    """The page out of ``found`` (fetched with ``one_more_than(limit)``), and the next page's
    offset (None: this is the last page)."""
    return found[:limit], offset + limit if len(found) > limit else None
