"""The CrmPusher contract: the fake, HubSpot and Salesforce (over their simulated APIs)
upsert by external id, so a second push of the same rows creates nothing new; notes and tasks
land on their contact; a record whose contact is not there fails alone."""

from __future__ import annotations

from contextlib import nullcontext

import pytest

from coaching.ports.crm import CrmRecord
from tests.crm_backends import fake_backend, hubspot_backend, salesforce_backend


@pytest.fixture(params=["fake", "hubspot", "salesforce"])
def crm(request):
    make = {
        "fake": lambda: nullcontext(fake_backend()),
        "hubspot": hubspot_backend,
        "salesforce": salesforce_backend,
    }[request.param]
    with make() as backend:
        yield backend


# Property names as each CRM's mapping gives them (the pushers pass them through).
def contact(backend, key: str, name: str) -> CrmRecord:
    field_name = "lastname" if backend.objects["contact"] == "contacts" else "LastName"
    return CrmRecord(key, {field_name: name})


def note(backend, key: str, contact_key: str | None, text: str) -> CrmRecord:
    if backend.objects["note"] == "Note":
        return CrmRecord(key, {"Title": "Coaching summary", "Body": text}, contact_key)
    return CrmRecord(key, {"hs_note_body": text, "hs_timestamp": "2026-11-30"}, contact_key)


def task(backend, key: str, contact_key: str, subject: str) -> CrmRecord:
    if backend.objects["task"] == "Task":
        return CrmRecord(key, {"Subject": subject, "Status": "Not Started"}, contact_key)
    return CrmRecord(key, {"hs_task_subject": subject, "hs_timestamp": "2026-12-07"}, contact_key)


def test_a_first_push_creates_every_record(crm):
    # Given two clients never pushed
    records = [contact(crm, "c-1", "Reyes"), contact(crm, "c-2", "Nair")]

    # When they are pushed
    report = crm.pusher.push(crm.objects["contact"], records)

    # Then both are created, as they are in the CRM
    assert (report.created, report.updated, report.skipped, report.failed) == (2, 0, 0, [])
    assert set(crm.stored(crm.objects["contact"])) == {"c-1", "c-2"}


def test_pushing_the_same_rows_again_creates_nothing_new(crm):
    # Given a push of two contacts and a note
    contacts = [contact(crm, "c-1", "Reyes"), contact(crm, "c-2", "Nair")]
    notes = [note(crm, "s-1", "c-1", "Ran the meeting.")]
    crm.pusher.push(crm.objects["contact"], contacts)
    crm.pusher.push(crm.objects["note"], notes)

    # When the same rows are pushed again, one of them changed
    again = crm.pusher.push(crm.objects["contact"], [contacts[0], contact(crm, "c-2", "Nair-Ode")])
    notes_again = crm.pusher.push(crm.objects["note"], [note(crm, "s-1", "c-1", "Ran it twice.")])

    # Then every record is updated in place: nothing is created, nothing duplicated
    assert (again.created, again.updated) == (0, 2)
    assert (notes_again.created, notes_again.updated) == (0, 1)
    assert len(crm.stored(crm.objects["contact"])) == 2
    assert len(crm.stored(crm.objects["note"])) == 1
    stored_contact = crm.stored(crm.objects["contact"])["c-2"]
    assert "Nair-Ode" in stored_contact.values()


def test_notes_and_tasks_land_on_their_contact(crm):
    # Given a contact in the CRM
    crm.pusher.push(crm.objects["contact"], [contact(crm, "c-1", "Reyes")])

    # When a note and a task about it are pushed
    crm.pusher.push(crm.objects["note"], [note(crm, "s-1", "c-1", "Ran the meeting.")])
    crm.pusher.push(crm.objects["task"], [task(crm, "a-1", "c-1", "Book the offsite")])

    # Then both are associated with that contact
    assert crm.contact_of(crm.objects["note"], "s-1") == "c-1"
    assert crm.contact_of(crm.objects["task"], "a-1") == "c-1"


def test_a_record_whose_contact_is_missing_fails_alone(crm):
    # Given one contact in the CRM and one never pushed
    crm.pusher.push(crm.objects["contact"], [contact(crm, "c-1", "Reyes")])

    # When tasks for both are pushed
    report = crm.pusher.push(
        crm.objects["task"],
        [task(crm, "a-1", "c-1", "Book the offsite"), task(crm, "a-2", "c-9", "Call Sam")],
    )

    # Then the one whose contact is there goes in; the other fails, named by its external id
    assert report.created == 1
    assert [key for key, _ in report.failed] == ["a-2"]
    assert set(crm.stored(crm.objects["task"])) == {"a-1"}


def test_one_external_id_twice_in_a_push_is_one_record_the_last_winning(crm):
    # When a push names one external id twice
    report = crm.pusher.push(
        crm.objects["contact"], [contact(crm, "c-1", "Reyes"), contact(crm, "c-1", "Reyes-Li")]
    )

    # Then one record is created from the last, the other skipped
    assert (report.created, report.skipped) == (1, 1)
    assert "Reyes-Li" in crm.stored(crm.objects["contact"])["c-1"].values()
