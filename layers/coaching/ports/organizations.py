"""Organizations as the session pipeline sees them: on record, and how long they keep data."""

from __future__ import annotations

import uuid
from typing import Protocol


class Organizations(Protocol):
    def ensure_organization(self, org: uuid.UUID, name: str) -> None:
        """Records the organization once (again: nothing happens)."""
        ...

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        """System task, across organizations: each organization that set ``retention_days``."""
        ...
