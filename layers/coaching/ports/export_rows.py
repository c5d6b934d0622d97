"""Where an export's rows come from: one entity's rows, streamed, scoped to an organization
and to the coaches the export's owner may see (PostgreSQL: a server-side cursor under
row-level security, adapters/postgres/export_rows.py).

A row is a dict keyed by the entity's columns, in their order (coaching/exports/schemas.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

from coaching.domain.clients import CoachIds


class ExportRows(Protocol):
    def rows(
        self,
        org: uuid.UUID,
        entity: str,
        *,
        coach_ids: CoachIds,
        since: dt.datetime | None,
        include_sensitive: bool,
    ) -> Iterator[dict[str, Any]]:
        """``coach_ids`` None: the whole organization. ``since``: only rows whose
        ``updated_at`` is at or after it. Approved summaries only, never drafts; items
        resting on a flagged (sensitive) turn only with ``include_sensitive``."""
        ...
