"""Saving a user's mapping (checked, audited) and finding a mapping by name."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.errors import MappingInvalid, NotFound
from coaching.exports.mappings import HUBSPOT, apply
from coaching.ports.export_mappings import MappingRule, SavedMapping
from coaching.usecases.export_mappings import mapping_named, save_mapping
from tests.fakes.export_mappings import FakeExportMappings

ORG = uuid.uuid4()


class Audit:
    def __init__(self) -> None:
        self.entries = []

    def record(self, entry) -> None:
        self.entries.append(entry)


def test_a_saved_mapping_is_found_by_name_and_applied():
    store, audit = FakeExportMappings(), Audit()
    rule = MappingRule("clients", {"name": "Client"}, ("email",))

    save_mapping(store, audit, ORG, SavedMapping("sheet", (rule,), created_by="user:7"))

    mapping = mapping_named(store, ORG, "sheet")
    assert apply(mapping, "clients", {"client_id": "c", "name": "Ana", "email": "a@x"}) == {
        "client_id": "c",
        "Client": "Ana",
    }
    (entry,) = audit.entries
    assert (entry.actor, entry.resource_type, entry.resource_id) == (
        "user:7",
        "export_mapping",
        "sheet",
    )


def test_a_mapping_naming_an_unknown_column_is_never_saved():
    store = FakeExportMappings()

    with pytest.raises(MappingInvalid, match="clients has no column 'mail'"):
        save_mapping(
            store, None, ORG, SavedMapping("sheet", (MappingRule("clients", {"mail": "E"}),))
        )

    assert store.list(ORG) == []


def test_ready_made_mappings_are_found_in_any_case():
    assert mapping_named(None, ORG, "HubSpot") is HUBSPOT


def test_an_unknown_name_is_not_found_listing_the_mappings_there_are():
    store = FakeExportMappings()
    store.save(ORG, SavedMapping("sheet", (MappingRule("clients"),)))

    with pytest.raises(NotFound) as missing:
        mapping_named(store, ORG, "shete")

    assert "Mappings: hubspot, salesforce, sheet." in missing.value.user_message()
