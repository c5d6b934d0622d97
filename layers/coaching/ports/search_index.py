"""The keyword index: a session's overview and every summary item, searchable."""

from __future__ import annotations

import uuid
from typing import Protocol


class SearchIndex(Protocol):
    def index_session(self, org: uuid.UUID, session_id: uuid.UUID) -> int:
        """Replaces the session's entries with its overview and its clients' summary items
        as stored now; returns how many entries it has."""
        ...
