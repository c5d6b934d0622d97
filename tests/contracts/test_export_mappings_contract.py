"""The ExportMappings contract, on the fake and on PostgreSQL (table export_mappings)."""

from __future__ import annotations

import pytest

from coaching.adapters.postgres.export_mappings import PostgresExportMappings
from coaching.ports.export_mappings import MappingRule, SavedMapping
from tests.contracts.backends import FakeBackend
from tests.fakes.export_mappings import FakeExportMappings


@pytest.fixture
def store(backend):
    if isinstance(backend, FakeBackend):
        return FakeExportMappings()
    return PostgresExportMappings(backend.db)


SPREADSHEET = SavedMapping(
    "spreadsheet",
    (
        MappingRule("clients", {"name": "Client", "email": "Email"}, ("tags",)),
        MappingRule("action_items", {"text": "Action"}, ()),
    ),
    created_by="user:42",
)


def test_a_saved_mapping_reads_back_as_saved(store, org):
    # When a mapping is saved
    store.save(org, SPREADSHEET)

    # Then it reads back by name, its rules by entity, and in the list
    assert store.get(org, "spreadsheet") == SavedMapping(
        "spreadsheet",
        (
            MappingRule("action_items", {"text": "Action"}, ()),
            MappingRule("clients", {"name": "Client", "email": "Email"}, ("tags",)),
        ),
        created_by="user:42",
    )
    assert [m.name for m in store.list(org)] == ["spreadsheet"]
    assert store.get(org, "nothing") is None


def test_saving_a_name_again_replaces_every_rule(store, org):
    # Given a saved mapping of two entities
    store.save(org, SPREADSHEET)

    # When one of that name is saved with one rule
    store.save(org, SavedMapping("spreadsheet", (MappingRule("sessions", {}, ("overview",)),)))

    # Then only that rule is left
    saved = store.get(org, "spreadsheet")
    assert saved is not None
    assert saved.rules == (MappingRule("sessions", {}, ("overview",)),)


def test_delete_says_whether_there_was_one(store, org):
    store.save(org, SPREADSHEET)

    assert store.delete(org, "spreadsheet") is True
    assert store.delete(org, "spreadsheet") is False
    assert store.get(org, "spreadsheet") is None


def test_another_organizations_mappings_are_never_seen(store, backend, org):
    # Given a mapping saved by one organization
    store.save(org, SPREADSHEET)
    other = backend.new_org()

    # Then another one neither reads, lists nor deletes it
    assert store.get(other, "spreadsheet") is None
    assert store.list(other) == []
    assert store.delete(other, "spreadsheet") is False
    assert store.get(org, "spreadsheet") is not None
