"""The organization's own export mappings, saved by name (the ``export_mappings`` table: one
row per mapping and entity, migration 0024).

A saved mapping renames and leaves out columns, per entity; it is checked against the
entities' schemas before it is saved (coaching/exports/mappings.py ``validated``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class MappingRule:
    """What a saved mapping does to one entity's rows."""

    entity: str
    renames: dict[str, str] = field(default_factory=dict)  # column -> its name in the output
    omits: tuple[str, ...] = ()  # columns left out


@dataclass(frozen=True)
class SavedMapping:
    name: str
    rules: tuple[MappingRule, ...]
    created_by: str | None = None  # "user:<id>": never an email


class ExportMappings(Protocol):
    def save(self, org: uuid.UUID, mapping: SavedMapping) -> None:
        """Stores the mapping, replacing every rule of one of that name."""
        ...

    def get(self, org: uuid.UUID, name: str) -> SavedMapping | None: ...

    def list(self, org: uuid.UUID) -> list[SavedMapping]:
        """By name."""
        ...

    def delete(self, org: uuid.UUID, name: str) -> bool:
        """Whether there was one to delete."""
        ...
