"""The Salesforce pusher against Salesforce's REST API as respx serves it
(tests/crm_servers.py): sObject Collections upsert by the External ID field, Tasks and Notes
on their Contact, Notes found again by their title marker, REQUEST_LIMIT_EXCEEDED retried,
one session refresh. Never a live org; no socket is opened."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.crm import salesforce
from coaching.domain.errors import CrmBusy
from coaching.ports.crm import CrmRecord
from tests.crm_backends import salesforce_backend
from tests.crm_servers import SALESFORCE_INSTANCE, SALESFORCE_TOKEN_URL

pytestmark = pytest.mark.integration
DATA = f"{SALESFORCE_INSTANCE}/services/data/{salesforce.API_VERSION}"


@pytest.fixture(autouse=True)
def _no_network():
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def crm():
    with salesforce_backend() as backend:
        yield backend


def contact(key: str = "c-1") -> CrmRecord:
    return CrmRecord(key, {"LastName": "Reyes", "FirstName": "Jordan", "Email": None})


def test_contacts_go_as_an_sobject_collections_upsert_by_the_external_id_field(crm):
    crm.pusher.push("Contact", [contact()])

    (request,) = crm.server.requests
    assert request.method == "PATCH"
    assert str(request.url) == f"{DATA}/composite/sobjects/Contact/Coaching_External_Id__c"
    assert request.headers["Authorization"] == "Bearer access-1"
    assert json.loads(request.content) == {
        "allOrNone": False,
        "records": [
            {
                "attributes": {"type": "Contact"},
                "LastName": "Reyes",
                "FirstName": "Jordan",
                "Email": None,
                "Coaching_External_Id__c": "c-1",
            }
        ],
    }


def test_a_task_names_its_contact_by_salesforce_id_found_by_the_external_id(crm):
    crm.pusher.push("Contact", [contact()])
    contact_id = next(iter(crm.server.objects["Contact"]))
    crm.server.requests.clear()

    crm.pusher.push("Task", [CrmRecord("a-1", {"Subject": "Book the offsite"}, "c-1")])

    query, upsert = crm.server.requests
    assert query.url.params["q"] == (
        "SELECT Id, Coaching_External_Id__c FROM Contact WHERE Coaching_External_Id__c IN ('c-1')"
    )
    record = json.loads(upsert.content)["records"][0]
    assert record["WhoId"] == contact_id
    assert record["Coaching_External_Id__c"] == "a-1"


def test_a_note_is_created_once_then_updated_by_its_id(crm):
    # Given a contact and its note pushed once
    crm.pusher.push("Contact", [contact()])
    note = CrmRecord("s-1", {"Title": "Coaching summary 2026-11-26", "Body": "Ran it."}, "c-1")
    first = crm.pusher.push("Note", [note])
    crm.server.requests.clear()

    # When the note is pushed again, changed
    again = crm.pusher.push(
        "Note", [CrmRecord("s-1", {**note.properties, "Body": "Twice."}, "c-1")]
    )

    # Then it was found by its title's marker and updated by its Id: no Note created
    assert (first.created, again.created, again.updated) == (1, 0, 1)
    methods = [
        (r.method, r.url.path.removeprefix(f"/services/data/{salesforce.API_VERSION}"))
        for r in crm.server.requests
    ]
    assert methods == [("GET", "/query"), ("GET", "/query"), ("PATCH", "/composite/sobjects")]
    update = json.loads(crm.server.requests[-1].content)["records"][0]
    assert update["attributes"] == {"type": "Note"} and "id" in update
    assert "ParentId" not in update
    (stored,) = crm.server.objects["Note"].values()
    assert stored["Title"] == "Coaching summary 2026-11-26 [s-1]"
    assert stored["Body"] == "Twice."


def test_a_long_title_is_cut_to_keep_its_marker_within_eighty_characters():
    title = salesforce.note_title("x" * 100, "6f1c1c1e-0000-4000-8000-0000000000a1")

    assert len(title) == 80
    assert title.endswith(" [6f1c1c1e-0000-4000-8000-0000000000a1]")


def test_quotes_in_an_external_id_cannot_change_the_query(crm):
    crm.pusher.push("Task", [CrmRecord("a-1", {"Subject": "x"}, "c-1' OR Name != '")])

    query = crm.server.requests[0].url.params["q"]
    assert query.endswith("IN ('c-1\\' OR Name != \\'')")


def test_request_limit_exceeded_is_retried_with_back_off_then_goes_through(crm):
    # Given Salesforce answers REQUEST_LIMIT_EXCEEDED twice (no Retry-After)
    crm.server.throttle_next = 2

    report = crm.pusher.push("Contact", [contact()])

    # Then the pusher backed off (1 s, 2 s) and got it in
    assert crm.sleeps == [1.0, 2.0]
    assert report.created == 1


def test_a_limit_that_does_not_lift_is_a_clear_failure(crm):
    crm.server.throttle_next = 99

    with pytest.raises(CrmBusy, match="REQUEST_LIMIT_EXCEEDED"):
        crm.pusher.push("Contact", [contact()])

    assert len(crm.server.requests) == 5


def test_an_invalid_session_is_refreshed_once_keeping_the_instance(crm):
    crm.server.expire_token()

    report = crm.pusher.push("Contact", [contact()])

    assert report.created == 1
    (request,) = crm.server.token_requests
    assert str(request.url) == SALESFORCE_TOKEN_URL
    assert parse_qs(request.content.decode())["grant_type"] == ["refresh_token"]
    saved = crm.credentials.saved[-1]
    assert (saved.access_token, saved.instance_url) == ("access-refreshed-1", SALESFORCE_INSTANCE)
    assert saved.refresh_token == "refresh-1"  # Salesforce sends none back: the old one stays


def test_records_salesforce_refuses_are_failed_by_their_status_code(crm):
    crm.server.scripted = [
        httpx.Response(
            200,
            json=[
                {"id": "003A", "success": True, "errors": [], "created": True},
                {
                    "success": False,
                    "errors": [
                        {
                            "statusCode": "REQUIRED_FIELD_MISSING",
                            "message": "Required fields are missing: [LastName]",
                            "fields": ["LastName"],
                        }
                    ],
                },
            ],
        )
    ]

    report = crm.pusher.push("Contact", [contact("c-1"), contact("c-2")])

    assert report.created == 1
    assert report.failed == [("c-2", "REQUIRED_FIELD_MISSING")]


def test_a_classification_of_each_answer():
    assert salesforce.classify(httpx.Response(204)).kind == "ok"
    expired = httpx.Response(401, json=[{"errorCode": "INVALID_SESSION_ID", "message": "x"}])
    assert salesforce.classify(expired).kind == "expired"
    limit = httpx.Response(403, json=[{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "x"}])
    assert salesforce.classify(limit).kind == "rate_limited"
    assert salesforce.classify(httpx.Response(503)).kind == "transient"
    refused = httpx.Response(400, json=[{"errorCode": "INVALID_FIELD", "message": "x"}])
    assert (salesforce.classify(refused).kind, salesforce.classify(refused).code) == (
        "rejected",
        "INVALID_FIELD",
    )
