"""ExportMappings in memory: saved mappings by organization and name."""

from __future__ import annotations

import uuid

from coaching.ports.export_mappings import SavedMapping


class FakeExportMappings:
    def __init__(self) -> None:
        self._saved: dict[tuple[uuid.UUID, str], SavedMapping] = {}

    def save(self, org: uuid.UUID, mapping: SavedMapping) -> None:
        rules = tuple(sorted(mapping.rules, key=lambda rule: rule.entity))
        self._saved[(org, mapping.name)] = SavedMapping(mapping.name, rules, mapping.created_by)

    def get(self, org: uuid.UUID, name: str) -> SavedMapping | None:
        return self._saved.get((org, name))

    def list(self, org: uuid.UUID) -> list[SavedMapping]:
        return [m for (owner, _), m in sorted(self._saved.items()) if owner == org]

    def delete(self, org: uuid.UUID, name: str) -> bool:
        return self._saved.pop((org, name), None) is not None
