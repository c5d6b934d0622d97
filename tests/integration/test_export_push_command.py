"""`coach export push --crm hubspot`: the wired runtime (the token file under
$COACH_HOME/secrets, the HubSpot adapter at its real address, answered by respx) pushes the
organization's export, and a second push creates nothing new."""

from __future__ import annotations

import json

import pytest
import respx
from typer.testing import CliRunner

from coaching.adapters.crm import hubspot
from coaching.adapters.crm.file_credentials import FileCrmCredentials
from coaching.config import reset_settings
from local_runtime.cli import app
from tests.crm_backends import token
from tests.crm_servers import HubSpotServer
from tests.export_data import approve_all, practice

pytestmark = pytest.mark.integration


@pytest.fixture
def connected(platform, organization):
    credentials = FileCrmCredentials(platform.settings.secrets_dir, organization, "hubspot")
    credentials.save(token("hubspot"))
    yield credentials
    credentials.path.unlink()


@pytest.fixture
def elenas_organization(platform, organization, monkeypatch):
    """The CLI's organization (its default) is one with Elena's approved sessions."""
    practice(platform, organization)
    approve_all(organization)
    monkeypatch.setenv("COACH_DEFAULT_ORGANIZATION_ID", str(organization))
    reset_settings()
    yield organization
    monkeypatch.undo()
    reset_settings()


def test_push_twice_creates_then_only_updates(elenas_organization, connected):
    server = HubSpotServer()
    with respx.mock(assert_all_called=False) as router:
        server.install(router, api_url=hubspot.API_URL)
        first = CliRunner().invoke(app, ["export", "push", "--crm", "hubspot", "--json"])
        assert first.exit_code == 0, first.output
        created = {e: len(server.stored(e)) for e in ("contacts", "notes", "tasks")}

        again = CliRunner().invoke(app, ["export", "push", "--crm", "hubspot", "--json"])

    assert again.exit_code == 0, again.output
    first_counts = json.loads(first.stdout)["entities"]
    again_counts = json.loads(again.stdout)["entities"]
    assert first_counts["clients"]["created"] == created["contacts"] == 2
    assert first_counts["summaries"]["created"] == created["notes"] == 3
    assert all(counts["created"] == 0 for counts in again_counts.values())
    assert {e: len(server.stored(e)) for e in created} == created


def test_an_unconnected_crm_says_where_the_token_goes(platform):
    result = CliRunner().invoke(app, ["export", "push", "--crm", "salesforce"])

    assert result.exit_code == 1
    assert "salesforce.json" in result.output
    assert "No salesforce token is stored." in result.output
