"""The pushers against recorded HubSpot and Salesforce exchanges (tests/fixtures/crm): a
client row through the ready-made mapping and the adapter is exactly the documented request,
and the documented answers (a batch result, a refused record, 429, an expired session, a
refreshed token) are read as they mean. No socket is opened."""

from __future__ import annotations

import json

import pytest
import respx
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.crm import crm_pusher, hubspot, salesforce
from coaching.exports.mappings import HUBSPOT, SALESFORCE, crm_record
from tests.crm_backends import token
from tests.crm_recordings import exchange, recorded
from tests.fakes.crm import MemoryCrmCredentials

pytestmark = pytest.mark.integration

INSTANCE = "https://coaching.my.salesforce.test"
JORDAN = {"client_id": "6f1c1c1e-0000-4000-8000-000000000001", "name": "Jordan Reyes"}
PRIYA = {"client_id": "6f1c1c1e-0000-4000-8000-000000000002", "name": "Priya"}


@pytest.fixture(autouse=True)
def _no_network():
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


def client_rows(second_email: str | None) -> list[dict]:
    return [
        {**JORDAN, "email": "jordan@example.com"},
        {**PRIYA, "email": second_email},
    ]


def pusher_for(kind: str, sleeps: list[float]):
    credentials = MemoryCrmCredentials(kind, token(kind))
    return crm_pusher(credentials, sleep=sleeps.append), credentials


def test_hubspot_contacts_are_the_documented_batch_upsert():
    sleeps: list[float] = []
    pusher, _ = pusher_for("hubspot", sleeps)
    records = [crm_record(HUBSPOT, "clients", row) for row in client_rows(None)]
    upsert = exchange("hubspot_contacts_upsert")
    with respx.mock:
        route = respx.post(hubspot.API_URL + upsert["request"]["path"]).mock(
            return_value=recorded("hubspot_contacts_upsert")
        )
        report = pusher.push("contacts", records)

    assert json.loads(route.calls[0].request.content) == upsert["request"]["json"]
    assert (report.created, report.updated, report.failed) == (1, 1, [])


def test_hubspot_rate_limit_then_the_batch_goes_through():
    sleeps: list[float] = []
    pusher, _ = pusher_for("hubspot", sleeps)
    records = [crm_record(HUBSPOT, "clients", row) for row in client_rows(None)]
    with respx.mock:
        respx.post(f"{hubspot.API_URL}/crm/v3/objects/contacts/batch/upsert").mock(
            side_effect=[recorded("hubspot_rate_limited"), recorded("hubspot_contacts_upsert")]
        )
        report = pusher.push("contacts", records)

    assert sleeps == [10.0]
    assert report.created == 1


def test_hubspot_refreshed_token_is_used_and_kept():
    sleeps: list[float] = []
    pusher, credentials = pusher_for("hubspot", sleeps)
    records = [crm_record(HUBSPOT, "clients", row) for row in client_rows(None)]
    expired = recorded("salesforce_invalid_session")  # any 401
    with respx.mock:
        route = respx.post(f"{hubspot.API_URL}/crm/v3/objects/contacts/batch/upsert").mock(
            side_effect=[expired, recorded("hubspot_contacts_upsert")]
        )
        respx.post(hubspot.OAUTH_URL).mock(return_value=recorded("hubspot_token_refreshed"))
        pusher.push("contacts", records)

    assert route.calls[1].request.headers["Authorization"] == "Bearer CKrA-access-token-refreshed"
    assert credentials.saved[-1].refresh_token == "na1-refresh-0000-0000-0000-000000000000"


def test_salesforce_contacts_are_the_documented_collection_upsert_a_refusal_reported():
    sleeps: list[float] = []
    pusher, _ = pusher_for("salesforce", sleeps)
    records = [crm_record(SALESFORCE, "clients", row) for row in client_rows("not-an-address")]
    upsert = exchange("salesforce_contacts_upsert")
    with respx.mock:
        route = respx.patch(INSTANCE + upsert["request"]["path"]).mock(
            return_value=recorded("salesforce_contacts_upsert")
        )
        report = pusher.push("Contact", records)

    assert json.loads(route.calls[0].request.content) == upsert["request"]["json"]
    assert report.created == 1
    assert report.failed == [(PRIYA["client_id"], "INVALID_EMAIL_ADDRESS")]


def test_salesforce_expired_session_is_refreshed_then_the_limit_waited_out():
    sleeps: list[float] = []
    pusher, credentials = pusher_for("salesforce", sleeps)
    records = [crm_record(SALESFORCE, "clients", row) for row in client_rows("not-an-address")]
    path = exchange("salesforce_contacts_upsert")["request"]["path"]
    with respx.mock:
        route = respx.patch(INSTANCE + path).mock(
            side_effect=[
                recorded("salesforce_invalid_session"),
                recorded("salesforce_request_limit"),
                recorded("salesforce_request_limit"),
                recorded("salesforce_contacts_upsert"),
            ]
        )
        respx.post(salesforce.OAUTH_URL).mock(return_value=recorded("salesforce_token_refreshed"))
        report = pusher.push("Contact", records)

    assert report.created == 1
    assert sleeps == [1.0, 2.0]
    assert route.calls[-1].request.headers["Authorization"] == (
        "Bearer 00DHu000000abcd!AQ0AQ-refreshed"
    )
    assert credentials.saved[-1].instance_url == INSTANCE
