"""Which coaches' sessions a query may return, as SQL: the one condition every store uses.

``coach_ids`` is a Visibility's: None for every coach of the organization (admins), else
the coaches whose sessions the caller may see (possibly none).
"""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import sql


def visible_coaches(*column: str) -> sql.Composed:
    """The condition on ``column`` (a coach id; a table's alias first, if any), with the
    parameters of coach_parameters()."""
    return sql.SQL("(%(all)s OR {} = ANY(%(coaches)s::uuid[]))").format(sql.Identifier(*column))


def coach_parameters(coach_ids: frozenset[uuid.UUID] | None) -> dict[str, Any]:
    return {"all": coach_ids is None, "coaches": sorted(coach_ids or ())}
