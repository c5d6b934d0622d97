"""GET /v1/export/crm-connections: whether HubSpot and Salesforce are connected for the
caller's organization (the token file under $COACH_HOME/secrets locally), never the token;
an unreadable token store answers 200 with a reason, not a 500."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.adapters.crm.file_credentials import FileCrmCredentials
from coaching.domain.errors import TransientError
from coaching.domain.identity import Role
from coaching.ports.crm import CrmToken
from tests.api_calls import claims_for, request
from tests.fakes.crm import MemoryCrmCredentials
from tests.local_ports import ports_replaced

pytestmark = pytest.mark.integration

PATH = "/v1/export/crm-connections"


@pytest.fixture
def hubspot_file(platform, organization):
    credentials = FileCrmCredentials(platform.settings.secrets_dir, organization, "hubspot")
    credentials.path.unlink(missing_ok=True)
    yield credentials
    credentials.path.unlink(missing_ok=True)


def _by_kind(answer: dict) -> dict[str, dict]:
    return {item["kind"]: item for item in answer["items"]}


def test_a_stored_hubspot_token_shows_connected_and_salesforce_not(hubspot_file, organization):
    coach = claims_for(organization, Role.COACH, coach_id=uuid.uuid4())
    # Given no token at first
    status, before = request("GET", PATH, coach)
    assert status == 200, before
    assert _by_kind(before)["hubspot"] == {
        "kind": "hubspot",
        "connected": False,
        "connected_at": None,
        "reason": "not_connected",
    }
    # When HubSpot's token is stored
    hubspot_file.save(CrmToken(access_token="access-secret-1", refresh_token="refresh-1"))
    status, after = request("GET", PATH, coach)
    # Then HubSpot is connected since then, Salesforce still not, and no token is shown
    assert status == 200, after
    hubspot = _by_kind(after)["hubspot"]
    assert hubspot["connected"] is True and hubspot["reason"] is None
    connected_at = dt.datetime.fromisoformat(hubspot["connected_at"])
    assert abs(connected_at - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)
    assert _by_kind(after)["salesforce"]["connected"] is False
    assert "access-secret-1" not in str(after) and "refresh-1" not in str(after)


def test_a_broken_token_file_answers_unreadable_not_a_500(hubspot_file, organization):
    hubspot_file.path.parent.mkdir(parents=True, exist_ok=True)
    hubspot_file.path.write_text("not json")

    status, answer = request("GET", PATH, claims_for(organization, Role.ADMIN))

    assert status == 200, answer
    assert _by_kind(answer)["hubspot"]["reason"] == "credentials_unreadable"


def test_each_organization_reads_its_own_credentials(platform, organization):
    # Given a store that knows only this organization's HubSpot token
    asked: list[tuple[uuid.UUID, str]] = []

    def credentials(org: uuid.UUID, kind: str):
        asked.append((org, kind))
        if kind == "salesforce":
            return _Failing(kind)
        token = CrmToken(access_token="t") if org == organization else None
        return MemoryCrmCredentials(kind, token)

    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    with ports_replaced(crm_credentials=credentials):
        status, mine = request("GET", PATH, claims_for(organization, Role.ADMIN))
        assert status == 200, mine
        status, theirs = request("GET", PATH, claims_for(other, Role.ADMIN))
        assert status == 200, theirs
    # Then each sees its own, and a failing store is a reason, not an error
    assert _by_kind(mine)["hubspot"]["connected"] is True
    assert _by_kind(theirs)["hubspot"]["connected"] is False
    assert _by_kind(mine)["salesforce"]["reason"] == "credentials_unreadable"
    assert {org for org, _ in asked} == {organization, other}


def test_support_may_not_see_crm_connections(platform, organization):
    status, answer = request("GET", PATH, claims_for(organization, Role.SUPPORT))

    assert status == 403, answer


class _Failing:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def load(self) -> CrmToken:
        raise TransientError("Secrets Manager is not answering")

    def save(self, token: CrmToken) -> None:
        raise AssertionError("a status never saves")
