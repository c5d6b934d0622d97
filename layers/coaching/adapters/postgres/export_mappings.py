"""ExportMappings on PostgreSQL: one ``export_mappings`` row per mapping and entity."""

from __future__ import annotations

import uuid
from itertools import groupby
from typing import Any

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.ports.export_mappings import MappingRule, SavedMapping

_SELECT = (
    "SELECT name, entity, renames, omits, created_by FROM export_mappings"
    " WHERE organization_id = %s"
)


class PostgresExportMappings:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save(self, org: uuid.UUID, mapping: SavedMapping) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "DELETE FROM export_mappings WHERE organization_id = %s AND name = %s",
                (org, mapping.name),
            )
            for rule in mapping.rules:
                conn.execute(
                    "INSERT INTO export_mappings"
                    " (organization_id, name, entity, renames, omits, created_by)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    (
                        org,
                        mapping.name,
                        rule.entity,
                        Jsonb(rule.renames),
                        Jsonb(list(rule.omits)),
                        mapping.created_by,
                    ),
                )

    def get(self, org: uuid.UUID, name: str) -> SavedMapping | None:
        with self._db.transaction(org) as conn:
            rows = conn.execute(_SELECT + " AND name = %s ORDER BY entity", (org, name)).fetchall()
        mappings = _mappings(rows)
        return mappings[0] if mappings else None

    def list(self, org: uuid.UUID) -> list[SavedMapping]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(_SELECT + " ORDER BY name, entity", (org,)).fetchall()
        return _mappings(rows)

    def delete(self, org: uuid.UUID, name: str) -> bool:
        with self._db.transaction(org) as conn:
            deleted = conn.execute(
                "DELETE FROM export_mappings WHERE organization_id = %s AND name = %s",
                (org, name),
            ).rowcount
        return deleted > 0


def _mappings(rows: list[dict[str, Any]]) -> list[SavedMapping]:
    return [
        SavedMapping(
            name=name,
            rules=tuple(
                MappingRule(row["entity"], dict(row["renames"]), tuple(row["omits"]))
                for row in group_rows
            ),
            created_by=group_rows[0]["created_by"],
        )
        for name, group in groupby(rows, key=lambda row: row["name"])
        for group_rows in [list(group)]
    ]
