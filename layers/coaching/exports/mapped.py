"""An entity's rows and columns through a mapping (coaching/exports/mappings.py): what the
writers need to give a mapped file a header (CSV) or typed columns (Parquet).

A renamed column keeps its type; a field the mapping computes (a CRM's note body, a task's
status) is a string. The output columns are the keys the mapping gives a sample row, so
they are the same for every row of the entity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from coaching.exports.mappings import Mapping, apply
from coaching.exports.schemas import Column, ColumnType, EntitySchema

_SAMPLE: dict[ColumnType, Any] = {
    "string": "x",
    "integer": 1,
    "float": 0.5,
    "boolean": False,
    "date": dt.date(2000, 1, 1),
    "timestamp": dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    "json": {},
    "string_list": [],
}


def mapped_schema(mapping: Mapping, schema: EntitySchema) -> EntitySchema:
    if not mapping.maps(schema.entity):
        return schema
    sample = {column.name: _SAMPLE[column.type] for column in schema.columns}
    by_output = {}
    rule = mapping.entities[schema.entity]
    for column in schema.columns:
        by_output[rule.renames.get(column.name, column.name)] = column
    columns = []
    for name in apply(mapping, schema.entity, sample):
        source = by_output.get(name)
        if source is not None:
            columns.append(Column(name, source.type, source.description, source.sensitive))
        else:
            columns.append(Column(name, "string", f"Computed by the {mapping.name} mapping"))
    return EntitySchema(schema.entity, schema.version, tuple(columns))


def mapped_rows(
    mapping: Mapping, schema: EntitySchema, output: EntitySchema, rows: Iterable[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Each row through the mapping, in ``output``'s column order; a computed field that is
    not a string already becomes one (its column is a string)."""
    if not mapping.maps(schema.entity):
        yield from rows
        return
    renames = mapping.entities[schema.entity].renames
    passed = {renames.get(name, name) for name in schema.names}
    computed = {column.name for column in output.columns if column.name not in passed}
    for row in rows:
        out = apply(mapping, schema.entity, row)
        yield {
            column.name: _text(out.get(column.name))
            if column.name in computed
            else out.get(column.name)
            for column in output.columns
        }


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)
