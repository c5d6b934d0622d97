"""Organizations in memory."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.usecases.retention import DEFAULT_RETENTION_DAYS
from tests.fakes.memory import MemoryData


class FakeOrganizations:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def ensure_organization(self, org: uuid.UUID, name: str) -> None:
        # The defaults migrations 0010 and 0012 give a new organization.
        defaults = {"mfa_required": True, "retention_days": DEFAULT_RETENTION_DAYS}
        self.data.organizations.setdefault(org, {"name": name, "settings": defaults})

    def organization_exists(self, org: uuid.UUID) -> bool:
        return org in self.data.organizations

    def organization_settings(self, org: uuid.UUID) -> dict[str, Any]:
        record = self.data.organizations.get(org)
        return dict(record["settings"]) if record else {}

    def update_organization_settings(self, org: uuid.UUID, changes: dict[str, Any]) -> dict:
        record = self.data.organizations.get(org)
        if record is None:
            return {}
        settings = record["settings"]
        for key, value in changes.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        return dict(settings)

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        return {
            org: days
            for org, record in self.data.organizations.items()
            if isinstance(days := record["settings"].get("retention_days"), int)
            and not isinstance(days, bool)
        }
