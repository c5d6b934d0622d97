"""The HubSpot pusher against HubSpot's API as respx serves it (tests/crm_servers.py):
the documented batch-upsert shape, the ten-second rate-limit window waited out, one token
refresh, clear failures after. Never a live account; no socket is opened."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.crm import hubspot
from coaching.domain.errors import CrmAccessDenied, CrmBusy, CrmRequestRejected
from coaching.ports.crm import CrmRecord
from tests.crm_backends import hubspot_backend
from tests.crm_servers import HUBSPOT_API, HUBSPOT_TOKEN_URL

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _no_network():
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def crm():
    with hubspot_backend() as backend:
        yield backend


def contacts(count: int) -> list[CrmRecord]:
    return [
        CrmRecord(f"c-{i}", {"firstname": "Sam", "lastname": f"Lee {i}", "email": None})
        for i in range(count)
    ]


def test_contacts_go_as_a_batch_upsert_by_the_unique_property(crm):
    # When one contact is pushed
    crm.pusher.push("contacts", [CrmRecord("c-1", {"lastname": "Reyes", "hs_lead": True})])

    # Then HubSpot gets the documented shape: inputs of id, idProperty and string properties
    (request,) = crm.server.requests
    assert request.method == "POST"
    assert str(request.url) == f"{HUBSPOT_API}/crm/v3/objects/contacts/batch/upsert"
    assert request.headers["Authorization"] == "Bearer access-1"
    assert json.loads(request.content) == {
        "inputs": [
            {
                "id": "c-1",
                "idProperty": "coaching_external_id",
                "properties": {
                    "lastname": "Reyes",
                    "hs_lead": "true",
                    "coaching_external_id": "c-1",
                },
            }
        ]
    }


def test_more_than_a_hundred_records_go_in_batches_of_a_hundred(crm):
    report = crm.pusher.push("contacts", contacts(150))

    sizes = [len(json.loads(r.content)["inputs"]) for r in crm.server.requests]
    assert sizes == [100, 50]
    assert report.created == 150


def test_notes_are_associated_with_their_contact_by_the_default_association(crm):
    crm.pusher.push("contacts", [CrmRecord("c-1", {"lastname": "Reyes"})])
    crm.server.requests.clear()

    crm.pusher.push("notes", [CrmRecord("s-1", {"hs_note_body": "Ran it."}, "c-1")])

    paths = [r.url.path for r in crm.server.requests]
    assert paths == [
        "/crm/v3/objects/contacts/batch/read",
        "/crm/v3/objects/notes/batch/upsert",
        "/crm/v4/associations/notes/contacts/batch/associate/default",
    ]
    association = json.loads(crm.server.requests[-1].content)["inputs"][0]
    assert set(association) == {"from", "to"}


def test_the_ten_second_window_is_waited_out_then_the_push_goes_through(crm):
    # Given HubSpot answers 429 (TEN_SECONDLY_ROLLING) twice
    crm.server.throttle_next = 2

    # When contacts are pushed
    report = crm.pusher.push("contacts", contacts(2))

    # Then the pusher waited ten seconds each time (no Retry-After sent), and got them in
    assert crm.sleeps == [10.0, 10.0]
    assert report.created == 2


def test_retry_after_is_what_is_waited_when_sent(crm):
    crm.server.scripted = [
        httpx.Response(429, headers={"Retry-After": "3"}, json={"policyName": "SECONDLY"})
    ]

    crm.pusher.push("contacts", contacts(1))

    assert crm.sleeps == [3.0]


def test_a_crm_that_stays_rate_limited_is_a_clear_failure_after_bounded_tries(crm):
    crm.server.throttle_next = 99

    with pytest.raises(CrmBusy) as busy:
        crm.pusher.push("contacts", contacts(1))

    assert len(crm.server.requests) == 5 and len(crm.sleeps) == 4
    assert "HubSpot kept refusing or failing (HTTP 429) TEN_SECONDLY_ROLLING" in str(busy.value)
    assert "access-1" not in str(busy.value)


def test_the_daily_limit_is_not_waited_for(crm):
    crm.server.scripted = [
        httpx.Response(429, json={"errorType": "RATE_LIMIT", "policyName": "DAILY"})
    ]

    with pytest.raises(CrmRequestRejected, match="DAILY"):
        crm.pusher.push("contacts", contacts(1))
    assert crm.sleeps == []


def test_an_expired_token_is_refreshed_once_and_kept(crm):
    # Given HubSpot no longer takes the stored token
    crm.server.expire_token()

    # When contacts are pushed
    report = crm.pusher.push("contacts", contacts(1))

    # Then the refresh token renewed it, the push went through, and the new token is saved
    assert report.created == 1
    assert crm.server.refreshes == 1
    assert crm.credentials.saved[-1].access_token == "access-refreshed-1"
    assert crm.credentials.saved[-1].refresh_token == "refresh-1"


def test_the_refresh_is_the_documented_oauth_form(crm):
    crm.server.expire_token()

    crm.pusher.push("contacts", contacts(1))

    (request,) = crm.server.token_requests
    assert str(request.url) == HUBSPOT_TOKEN_URL
    form = parse_qs(request.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["refresh-1"],
        "client_id": ["hubspot-client"],
        "client_secret": ["hubspot-client-secret"],
    }


def test_without_a_refresh_token_an_expired_token_is_a_clear_error():
    with hubspot_backend(refresh=False) as crm:
        crm.server.expire_token()

        with pytest.raises(CrmAccessDenied) as denied:
            crm.pusher.push("contacts", contacts(1))

    assert "Connect HubSpot again" in denied.value.user_message()
    assert "access-1" not in denied.value.user_message()


def test_a_token_refused_after_its_refresh_is_not_refreshed_again(crm):
    # HubSpot refuses every token, the renewed one too
    crm.server.authorized = lambda request: False  # type: ignore[method-assign]

    with pytest.raises(CrmAccessDenied):
        crm.pusher.push("contacts", contacts(1))

    assert crm.server.refreshes == 1


def test_inputs_hubspot_refuses_are_reported_failed_by_external_id(crm):
    crm.server.scripted = [
        httpx.Response(
            207,
            json={
                "status": "COMPLETE",
                "results": [
                    {"id": "1", "new": True, "properties": {"coaching_external_id": "c-0"}}
                ],
                "numErrors": 1,
                "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "x"}],
            },
        )
    ]

    report = crm.pusher.push("contacts", contacts(2))

    assert report.created == 1
    assert report.failed == [("c-1", "VALIDATION_ERROR")]


def test_a_classification_of_each_answer():
    def answer(status: int, **kwargs) -> httpx.Response:
        return httpx.Response(status, **kwargs)

    assert hubspot.classify(answer(200)).kind == "ok"
    assert hubspot.classify(answer(207)).kind == "ok"
    assert hubspot.classify(answer(401, json={"category": "EXPIRED_AUTHENTICATION"})).kind == (
        "expired"
    )
    assert hubspot.classify(answer(502)).kind == "transient"
    assert hubspot.classify(answer(400, json={"category": "VALIDATION_ERROR"})).code == (
        "VALIDATION_ERROR"
    )
