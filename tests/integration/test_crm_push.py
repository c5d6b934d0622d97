"""Pushing an export into a CRM, end to end on PostgreSQL: the organization's rows as the
owner may see them, through the ready-made mapping, into the CRM (the fake, and HubSpot's
simulated API), audited, and incremental per schedule with a watermark a failed push leaves
where it was."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from coaching.adapters.postgres.export_rows import PostgresExportRows
from coaching.adapters.postgres.export_runs import PostgresExportRuns
from coaching.domain.errors import CrmBusy, MappingInvalid
from coaching.exports.mappings import HUBSPOT, SALESFORCE
from coaching.usecases.crm_push import CrmPushPorts, push_export
from coaching.usecases.export_run import ExportRequest
from tests.crm_backends import hubspot_backend
from tests.export_data import approve_all, practice, rename_client
from tests.fakes.crm import FakeCrm
from tests.local_ports import ports

pytestmark = pytest.mark.integration


@pytest.fixture
def elenas(platform, organization):
    data = practice(platform, organization)
    approve_all(organization)
    return data


def push_ports(now: dt.datetime | None = None) -> CrmPushPorts:
    database = ports().database
    return CrmPushPorts(
        rows=PostgresExportRows(database),
        audit=ports().audit_log,
        runs=PostgresExportRuns(database),
        contacts=ports().contact_details,
        now=(lambda: now) if now else (lambda: dt.datetime.now(dt.UTC)),
    )


def request(org: uuid.UUID, **fields) -> ExportRequest:
    fields = {"coach_ids": None, "format": "json", "destination": "hubspot", **fields}
    return ExportRequest(organization_id=org, actor="user:admin", **fields)


def test_clients_summaries_and_items_land_as_contacts_notes_and_tasks(elenas):
    # Given Elena's two approved sessions with Priya and Tomas
    crm = FakeCrm("hubspot")

    # When the organization's export is pushed through the HubSpot mapping
    result = push_export(push_ports(), request(elenas["org"]), crm, HUBSPOT)

    # Then each client is a contact, each approved summary a note on its client's contact,
    # each action item a task on it, all keyed by the platform's own ids
    contacts = crm.objects["contacts"]
    assert set(contacts) == {str(elenas["priya"]), str(elenas["tomas"])}
    assert contacts[str(elenas["priya"])]["lastname"] == "Raman"
    assert len(crm.objects["notes"]) == result.rows["summaries"] == 3
    assert {crm.contact_of[("notes", key)] for key in crm.objects["notes"]} == set(contacts)
    assert len(crm.objects.get("tasks", {})) == result.rows.get("action_items", 0)
    assert result.total.failed == [] and result.total.created == sum(result.rows.values())
    # Contacts went first: notes and tasks find theirs
    assert [entity for entity, _ in crm.pushes][0] == "contacts"


def test_a_contact_carries_the_clients_email_decrypted_from_their_contact_details(elenas):
    # Given Priya's email on record (stored encrypted, so not in the export's rows)
    org = elenas["org"]
    ports().contact_details.update_contact(org, elenas["priya"], {"email": "priya@example.com"})
    crm = FakeCrm("hubspot")

    # When the export is pushed
    push_export(push_ports(), request(org), crm, HUBSPOT)

    # Then her contact has it; Tomas, with none, has no email property
    assert crm.objects["contacts"][str(elenas["priya"])]["email"] == "priya@example.com"
    assert crm.objects["contacts"][str(elenas["tomas"])].get("email") is None


def test_pushing_again_into_hubspot_creates_nothing_new(elenas):
    with hubspot_backend() as hubspot:
        first = push_export(push_ports(), request(elenas["org"]), hubspot.pusher, HUBSPOT)
        stored = {entity: len(hubspot.stored(entity)) for entity in ("contacts", "notes", "tasks")}

        again = push_export(push_ports(), request(elenas["org"]), hubspot.pusher, HUBSPOT)

        assert again.total.created == 0
        assert again.total.updated == first.total.created
        assert {e: len(hubspot.stored(e)) for e in stored} == stored
        note = next(iter(hubspot.stored("notes")))
        assert hubspot.contact_of("notes", note) in hubspot.stored("contacts")


def test_the_push_is_audited_with_scope_destination_and_counts_never_content(elenas):
    result = push_export(push_ports(), request(elenas["org"]), FakeCrm("hubspot"), HUBSPOT)

    (entry,) = ports().audit_log.entries(elenas["org"], resource_type="export")
    assert (entry.action, entry.actor, entry.resource_id) == (
        "export_push",
        "user:admin",
        str(result.run_id),
    )
    assert entry.details["destination"] == "hubspot"
    assert entry.details["outcome"] == "succeeded"
    assert entry.details["counts"]["clients"] == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert entry.details["include_sensitive"] is False and entry.details["coach_ids"] is None
    assert "Priya" not in json.dumps(entry.details)
    # Each client whose data went out has it in their access log
    assert set(entry.client_ids) == {elenas["priya"], elenas["tomas"]}


def test_another_organizations_data_is_never_pushed(platform, elenas):
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    practice(platform, other)
    approve_all(other)
    crm = FakeCrm("hubspot")

    push_export(push_ports(), request(elenas["org"]), crm, HUBSPOT)

    assert set(crm.objects["contacts"]) == {str(elenas["priya"]), str(elenas["tomas"])}


def test_a_coach_pushes_only_their_own_clients(elenas):
    crm = FakeCrm("hubspot")

    result = push_export(
        push_ports(),
        request(elenas["org"], coach_ids=frozenset({elenas["stranger"]})),
        crm,
        HUBSPOT,
    )

    assert result.total.created == 0 and "contacts" not in crm.objects


def test_a_mapping_for_another_crm_is_refused_before_anything_is_read(elenas):
    with pytest.raises(MappingInvalid, match="does not push to hubspot"):
        push_export(push_ports(), request(elenas["org"]), FakeCrm("hubspot"), SALESFORCE)


class BusyCrm(FakeCrm):
    def push(self, entity, records):
        raise CrmBusy("HubSpot kept refusing or failing (HTTP 429) after 5 tries.")


def schedule(org: uuid.UUID) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "INSERT INTO export_schedules (organization_id, created_by, cron, format,"
            " destination) VALUES (%s, 'user:admin', '0 6 * * *', 'json', 'hubspot')"
            " RETURNING id",
            (org,),
        ).fetchone()["id"]


def test_a_scheduled_push_carries_only_what_changed_and_a_failed_one_moves_nothing(elenas):
    org = elenas["org"]
    schedule_id = schedule(org)
    scheduled = request(org, schedule_id=schedule_id)

    # Run 1 pushes everything
    first = push_export(push_ports(), scheduled, FakeCrm("hubspot"), HUBSPOT)
    assert first.since is None and first.rows["clients"] == 2

    # A client changes; run 2 fails (HubSpot stays busy)
    rename_client(org, elenas["priya"], "Priya Raman-Shah")
    with pytest.raises(CrmBusy):
        push_export(push_ports(), scheduled, BusyCrm("hubspot"), HUBSPOT)

    # Run 3 reads from run 1's watermark: the change, and only what changed
    crm = FakeCrm("hubspot")
    third = push_export(push_ports(), scheduled, crm, HUBSPOT)
    assert third.since == first.watermark
    assert set(crm.objects["contacts"]) == {str(elenas["priya"])}
    assert crm.objects["contacts"][str(elenas["priya"])]["lastname"] == "Raman-Shah"

    # The failed run is on record as failed, with the CRM's sentence
    runs = PostgresExportRuns(ports().database).list_runs(org, schedule_id=schedule_id)
    assert [run.status for run in runs] == ["succeeded", "failed", "succeeded"]
    assert "HubSpot kept refusing" in (runs[1].error or "")
