"""The published export schemas: a column change without a version bump fails here.

The fingerprint file (tests/unit/data/export_schemas.json) holds each entity's version and a
hash of its columns (names, types, order, sensitivity). Change a column and this fails until
you bump that entity's version and SCHEMA_VERSION, then regenerate the file with
`python -m tests.unit.test_export_schemas` (it refuses while a version is not bumped).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from coaching.exports.schemas import (
    ENTITIES,
    SCHEMA_VERSION,
    SCHEMAS,
    Column,
    EntitySchema,
    columns_fingerprint,
    schemas_document,
)

pytestmark = pytest.mark.unit

FINGERPRINTS = Path(__file__).parent / "data" / "export_schemas.json"


def current() -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "entities": {
            entity: {"version": schema.version, "columns": columns_fingerprint(schema)}
            for entity, schema in SCHEMAS.items()
        },
    }


def unbumped(recorded: dict, now: dict) -> list[str]:
    """Entities whose columns changed while their version (or the set's) did not."""
    problems = []
    for entity, fingerprint in now["entities"].items():
        before = recorded["entities"].get(entity)
        if before is None or before["columns"] == fingerprint["columns"]:
            continue
        if fingerprint["version"] <= before["version"]:
            problems.append(f"{entity}: columns changed, version still {fingerprint['version']}")
        if now["schema_version"] == recorded["schema_version"]:
            problems.append(f"{entity}: columns changed, SCHEMA_VERSION still {SCHEMA_VERSION}")
    return problems


def test_no_column_changes_without_a_version_bump():
    recorded = json.loads(FINGERPRINTS.read_text())
    now = current()
    assert unbumped(recorded, now) == []
    # A bump without its fingerprint regenerated: the file is the published record
    assert recorded == now, "regenerate tests/unit/data/export_schemas.json (see the docstring)"


def test_a_changed_column_without_a_bump_is_caught():
    # Given the published fingerprints and a sessions schema with one column retyped
    recorded = current()
    sessions = SCHEMAS["sessions"]
    retyped = EntitySchema(
        "sessions",
        sessions.version,
        (*sessions.columns[:-1], Column("updated_at", "string", "now text")),
    )
    now = current()
    now["entities"]["sessions"]["columns"] = columns_fingerprint(retyped)
    # Then it is refused until both versions move
    assert len(unbumped(recorded, now)) == 2
    now["entities"]["sessions"]["version"] += 1
    now["schema_version"] = "2"
    assert unbumped(recorded, now) == []


def test_a_description_may_change_freely():
    sessions = SCHEMAS["sessions"]
    reworded = EntitySchema(
        "sessions",
        sessions.version,
        tuple(Column(c.name, c.type, "reworded", c.sensitive) for c in sessions.columns),
    )
    assert columns_fingerprint(reworded) == columns_fingerprint(sessions)


def test_every_entity_is_published_with_its_id_and_updated_at():
    document = schemas_document()
    assert document["schema_version"] == SCHEMA_VERSION
    assert [e["entity"] for e in document["entities"]] == list(ENTITIES)
    for entity in document["entities"]:
        names = [c["name"] for c in entity["columns"]]
        assert entity["key"] == names[0]
        assert names[0].endswith("_id")
        assert "updated_at" in names
        assert len(set(names)) == len(names)
        assert all(c["description"] for c in entity["columns"])
    json.dumps(document)  # printable as it is


if __name__ == "__main__":
    # Regenerate the fingerprints, only once every changed entity's version is bumped.
    recorded = json.loads(FINGERPRINTS.read_text()) if FINGERPRINTS.exists() else None
    now = current()
    if recorded and (problems := unbumped(recorded, now)):
        sys.exit("Bump the versions first:\n" + "\n".join(problems))
    FINGERPRINTS.write_text(json.dumps(now, indent=2) + "\n")
