"""Organizations in memory."""

from __future__ import annotations

import uuid

from coaching.usecases.retention import DEFAULT_RETENTION_DAYS
from tests.fakes.memory import MemoryData


class FakeOrganizations:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def ensure_organization(self, org: uuid.UUID, name: str) -> None:
        # The defaults migrations 0010 and 0012 give a new organization.
        self.data.organizations.setdefault(
            org,
            {
                "name": name,
                "settings": {"mfa_required": True, "retention_days": DEFAULT_RETENTION_DAYS},
            },
        )

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        return {
            org: days
            for org, record in self.data.organizations.items()
            if isinstance(days := record["settings"].get("retention_days"), int)
            and not isinstance(days, bool)
        }
