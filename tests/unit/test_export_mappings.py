"""Export mappings: a user's renames and omissions (checked against the schemas before they
are saved), and the ready-made HubSpot and Salesforce mappings' fields."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from coaching.domain.errors import MappingInvalid
from coaching.exports.mappings import (
    CONTACT_REFERENCE,
    HUBSPOT,
    READY_MADE,
    SALESFORCE,
    apply,
    crm_record,
    from_saved,
    validated,
)
from coaching.exports.schemas import SCHEMAS
from coaching.ports.export_mappings import MappingRule, SavedMapping

CLIENT = {
    "client_id": "6f1c1c1e-0000-4000-8000-000000000001",
    "name": "Jordan Reyes",
    "email": "jordan@example.com",
    "status": "active",
    "external_id": None,
    "tags": ["leadership"],
    "opted_out": False,
    "email_suppressed": False,
    "session_count": 3,
    "first_session_date": dt.date(2026, 10, 1),
    "last_session_date": dt.date(2026, 11, 26),
    "latest_engagement": "high",
    "latest_priority": 0.42,
    "created_at": dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
    "updated_at": dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC),
}
SUMMARY = {
    "summary_id": "6f1c1c1e-0000-4000-8000-0000000000a1",
    "session_id": "6f1c1c1e-0000-4000-8000-0000000000b1",
    "client_id": CLIENT["client_id"],
    "client_name": "Jordan Reyes",
    "coach_id": None,
    "session_date": dt.date(2026, 11, 26),
    "wins": ["Ran the team meeting"],
    "challenges": ["Delegating"],
    "recommendations": ["Pick one task to hand over"],
    "action_item_count": 1,
    "engagement_level": "high",
    "priority_score": 0.42,
    "priority_reasons": ["falling_sentiment"],
    "breakthroughs": 1,
    "follow_up_status": "sent",
    "follow_up_sent_at": dt.datetime(2026, 11, 27, 8, tzinfo=dt.UTC),
    "approved_at": dt.datetime(2026, 11, 26, 17, 30, tzinfo=dt.UTC),
    "updated_at": dt.datetime(2026, 11, 27, 8, tzinfo=dt.UTC),
}
ITEM = {
    "action_item_id": "6f1c1c1e-0000-5000-8000-0000000000c1",
    "summary_id": SUMMARY["summary_id"],
    "session_id": SUMMARY["session_id"],
    "client_id": CLIENT["client_id"],
    "coach_id": None,
    "position": 0,
    "text": "Hand the weekly report to Sam",
    "owner": "Jordan Reyes",
    "due": dt.date(2026, 12, 3),
    "due_phrase": "by next Thursday",
    "session_date": dt.date(2026, 11, 26),
    "kept": "kept",
    "sensitive": False,
    "updated_at": dt.datetime(2026, 11, 27, 8, tzinfo=dt.UTC),
}
ROWS = {"clients": CLIENT, "summaries": SUMMARY, "action_items": ITEM}


def test_the_sample_rows_have_exactly_the_schemas_columns():
    for entity, row in ROWS.items():
        assert tuple(row) == SCHEMAS[entity].names


# -- a user's mapping --------------------------------------------------------------------------


def test_a_user_mapping_renames_and_omits_keeping_the_column_order():
    # Given a mapping renaming two client columns and leaving out the tags
    mapping = from_saved(
        validated(
            SavedMapping(
                "spreadsheet",
                (MappingRule("clients", {"name": "Client", "email": "Email"}, ("tags",)),),
            )
        )
    )

    # When a client row goes through it
    out = apply(mapping, "clients", CLIENT)

    # Then the columns are renamed in place, the tags gone, the rest as they were
    assert list(out)[:3] == ["client_id", "Client", "Email"]
    assert "tags" not in out and out["Client"] == "Jordan Reyes"
    assert out["first_session_date"] == dt.date(2026, 10, 1)


def test_an_entity_the_mapping_does_not_name_goes_out_unchanged():
    mapping = from_saved(SavedMapping("m", (MappingRule("clients", {"name": "Client"}),)))

    assert apply(mapping, "action_items", ITEM) == ITEM


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (MappingRule("clients", {"nmae": "Client"}), "clients has no column 'nmae'"),
        (MappingRule("clients", {}, ("diagnosis",)), "clients has no column 'diagnosis'"),
        (MappingRule("people", {"name": "Client"}), "There is no entity 'people'"),
        (MappingRule("clients", {"name": "email"}), "would both be called 'email'"),
        (MappingRule("clients", {"name": " "}), "renamed to an empty name"),
    ],
)
def test_a_user_mapping_naming_what_does_not_exist_is_refused_saying_what(rule, says):
    with pytest.raises(MappingInvalid) as refused:
        validated(SavedMapping("mine", (rule,)))

    assert says in refused.value.user_message()


def test_an_unknown_column_error_lists_the_entitys_columns():
    with pytest.raises(MappingInvalid) as refused:
        validated(SavedMapping("mine", (MappingRule("clients", {"nmae": "Client"}),)))

    assert "Its columns: client_id, name, email" in refused.value.user_message()


def test_a_ready_made_mappings_name_cannot_be_taken():
    with pytest.raises(MappingInvalid):
        validated(SavedMapping("HubSpot", (MappingRule("clients"),)))


# -- the ready-made CRM mappings ---------------------------------------------------------------


@pytest.mark.parametrize("mapping", list(READY_MADE.values()), ids=list(READY_MADE))
def test_ready_made_mappings_read_only_columns_the_schemas_have(mapping):
    for entity, rule in mapping.entities.items():
        names = SCHEMAS[entity].names
        assert set(rule.renames) <= set(names)
        assert rule.contact_column in (None, *names)
        assert rule.target


def test_hubspot_contact_properties():
    record = crm_record(HUBSPOT, "clients", CLIENT)

    assert record.external_id == CLIENT["client_id"]
    assert record.contact_external_id is None
    assert record.properties == {
        "email": "jordan@example.com",
        "firstname": "Jordan",
        "lastname": "Reyes",
    }


def test_hubspot_note_from_an_approved_summary():
    record = crm_record(HUBSPOT, "summaries", SUMMARY)

    assert record.external_id == SUMMARY["summary_id"]
    assert record.contact_external_id == CLIENT["client_id"]
    assert set(record.properties) == {"hs_note_body", "hs_timestamp"}
    assert record.properties["hs_timestamp"] == "2026-11-26T17:30:00Z"
    body = record.properties["hs_note_body"]
    assert "Wins:\n- Ran the team meeting" in body and "Follow-up priority: 0.42" in body


def test_hubspot_task_from_an_action_item():
    record = crm_record(HUBSPOT, "action_items", ITEM)

    assert record.contact_external_id == CLIENT["client_id"]
    assert record.properties == {
        "hs_task_subject": "Hand the weekly report to Sam",
        "hs_task_body": (
            "Owner: Jordan Reyes\nDue: by next Thursday\n"
            "Committed to in the session of 2026-11-26\nKept: kept"
        ),
        "hs_timestamp": "2026-12-03T00:00:00Z",
        "hs_task_status": "COMPLETED",
        "hs_task_type": "TODO",
    }


def test_hubspot_csv_import_rows_carry_the_ids_as_columns():
    # The import layout: each file has the record's unique id, notes and tasks their contact's
    note = apply(HUBSPOT, "summaries", SUMMARY)

    assert note["coaching_external_id"] == SUMMARY["summary_id"]
    assert note[CONTACT_REFERENCE] == CLIENT["client_id"]


def test_salesforce_contact_task_and_note_fields():
    contact = crm_record(SALESFORCE, "clients", CLIENT)
    task = crm_record(SALESFORCE, "action_items", {**ITEM, "kept": "pending"})
    note = crm_record(SALESFORCE, "summaries", SUMMARY)

    assert contact.properties == {
        "Email": "jordan@example.com",
        "FirstName": "Jordan",
        "LastName": "Reyes",
    }
    assert task.properties["ActivityDate"] == "2026-12-03"
    assert (task.properties["Status"], task.properties["Priority"]) == ("Not Started", "Normal")
    assert note.properties["Title"] == "Coaching summary 2026-11-26"
    assert note.properties["Body"].startswith("Coaching session 2026-11-26\nWins:")
    assert note.contact_external_id == CLIENT["client_id"]


def test_a_one_word_name_is_the_last_name_crms_require():
    contact = crm_record(SALESFORCE, "clients", {**CLIENT, "name": "Priya"})

    assert (contact.properties["FirstName"], contact.properties["LastName"]) == (None, "Priya")


@pytest.mark.parametrize("mapping", list(READY_MADE.values()), ids=list(READY_MADE))
def test_crm_records_are_plain_json(mapping):
    for entity, row in ROWS.items():
        json.dumps(crm_record(mapping, entity, row).properties)
