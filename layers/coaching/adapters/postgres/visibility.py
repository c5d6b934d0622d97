"""Which coaches' sessions a query may return, as SQL: the one condition every store uses.

``coach_ids`` is a Visibility's: None for every coach of the organization (admins), else
the coaches whose sessions the caller may see (possibly none).
"""

from __future__ import annotations

import uuid
from typing import Any


def visible_coaches(column: str) -> str:
    """The condition on ``column`` (a coach id), with the parameters of coach_parameters().
    ``column`` is a constant of the calling store, never input."""
    return f"(%(all)s OR {column} = ANY(%(coaches)s::uuid[]))"


def coach_parameters(coach_ids: frozenset[uuid.UUID] | None) -> dict[str, Any]:
    return {"all": coach_ids is None, "coaches": sorted(coach_ids or ())}
