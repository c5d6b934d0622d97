"""Organizations: on record, their settings, and how long each keeps data."""

from __future__ import annotations

import uuid
from typing import Any, Protocol


class Organizations(Protocol):
    def ensure_organization(self, org: uuid.UUID, name: str) -> None:
        """Records the organization once (again: nothing happens)."""
        ...

    def organization_exists(self, org: uuid.UUID) -> bool:
        """Whether the organization is on record (a verified token may still name one that
        is not: a deleted one, or a misconfigured account)."""
        ...

    def organization_settings(self, org: uuid.UUID) -> dict[str, Any]:
        """Its settings; {} for an organization not on record."""
        ...

    def update_organization_settings(
        self, org: uuid.UUID, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Merges ``changes`` into the settings (a None value removes the key); returns them."""
        ...

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        """System task, across organizations: each organization that set ``retention_days``."""
        ...
