"""Where a CRM's token is kept: a 0600 file under $COACH_HOME/secrets locally, a Secrets
Manager secret in AWS (moto). Neither shows the token in a repr or an error."""

from __future__ import annotations

import json
import stat
import uuid

import boto3
import pytest
from moto.secretsmanager.models import secretsmanager_backends

from coaching.adapters.aws.crm_secret import SecretsManagerCrmCredentials
from coaching.adapters.crm import crm_pusher
from coaching.adapters.crm.file_credentials import FileCrmCredentials
from coaching.composition import build_ports
from coaching.config import Settings
from coaching.domain.errors import CrmCredentialsUnreadable, CrmNotConnected, Unprocessable
from coaching.ports.crm import CrmToken
from tests.fakes.crm import MemoryCrmCredentials
from tests.moto_scope import scoped_mock_aws

pytestmark = pytest.mark.integration

TOKEN = CrmToken(
    access_token="access-secret-1",
    refresh_token="refresh-secret-1",
    client_id="client-1",
    client_secret="client-secret-1",
    instance_url="https://coaching.my.salesforce.test",
)


def test_a_token_never_shows_its_secrets_in_its_repr():
    shown = repr(TOKEN)

    assert "access-secret-1" not in shown and "refresh-secret-1" not in shown
    assert "client-secret-1" not in shown
    assert "client-1" in shown


def test_the_local_file_is_the_owners_only_and_reads_back(tmp_path):
    org = uuid.uuid4()
    credentials = FileCrmCredentials(tmp_path / "secrets", org, "hubspot")

    credentials.save(TOKEN)

    assert credentials.path == tmp_path / "secrets" / "crm" / str(org) / "hubspot.json"
    assert stat.S_IMODE(credentials.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(credentials.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(credentials.path.parent.parent.stat().st_mode) == 0o700
    assert credentials.load() == TOKEN


def test_one_organizations_token_is_never_anothers(tmp_path):
    # Locally as in AWS: a push for the second organization finds no token, not the first's.
    first, second = uuid.uuid4(), uuid.uuid4()
    FileCrmCredentials(tmp_path, first, "hubspot").save(TOKEN)

    with pytest.raises(CrmNotConnected):
        FileCrmCredentials(tmp_path, second, "hubspot").load()


def test_a_refreshed_token_replaces_the_file(tmp_path):
    credentials = FileCrmCredentials(tmp_path, uuid.uuid4(), "salesforce")
    credentials.save(TOKEN)

    credentials.save(TOKEN.refreshed("access-secret-2"))

    assert credentials.load().access_token == "access-secret-2"
    assert credentials.load().refresh_token == "refresh-secret-1"
    assert [p.name for p in credentials.path.parent.iterdir()] == ["salesforce.json"]


@pytest.mark.parametrize("content", [None, "not json", json.dumps({"refresh_token": "r"})])
def test_no_usable_file_is_not_connected_saying_where_the_token_goes(tmp_path, content):
    credentials = FileCrmCredentials(tmp_path, uuid.uuid4(), "hubspot")
    if content is not None:
        credentials.path.parent.mkdir(parents=True)
        credentials.path.write_text(content)

    with pytest.raises(CrmNotConnected) as missing:
        credentials.load()

    assert str(credentials.path) in missing.value.user_message()


@pytest.fixture
def secrets():
    with scoped_mock_aws(secretsmanager_backends):
        yield boto3.client("secretsmanager", region_name="eu-west-1")


def test_the_secret_reads_back_what_was_saved(secrets):
    secrets.create_secret(Name="coaching/crm/hubspot")
    credentials = SecretsManagerCrmCredentials(secrets, "coaching/crm/hubspot", "hubspot")

    credentials.save(TOKEN)

    assert credentials.load() == TOKEN
    stored = secrets.get_secret_value(SecretId="coaching/crm/hubspot")["SecretString"]
    assert json.loads(stored)["access_token"] == "access-secret-1"


def test_a_secret_without_a_value_or_none_at_all_is_not_connected(secrets):
    secrets.create_secret(Name="coaching/crm/salesforce")

    for secret_id in ("coaching/crm/salesforce", "coaching/crm/nothing"):
        credentials = SecretsManagerCrmCredentials(secrets, secret_id, "salesforce")
        with pytest.raises(CrmNotConnected, match=secret_id):
            credentials.load()


def test_the_runtime_picks_the_file_locally_and_a_secret_per_organization_in_aws(
    tmp_path, secrets, monkeypatch
):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # made again, in that region
    org = uuid.uuid4()
    local = build_ports(Settings(database_url=None, home=tmp_path))
    aws = build_ports(Settings(database_url=None, runtime="aws", crm_secret_prefix="crm/"))

    hubspot = local.crm_credentials(org, "hubspot").path
    assert hubspot == tmp_path / "secrets" / "crm" / str(org) / "hubspot.json"
    secrets.create_secret(Name=f"crm/{org}/salesforce", SecretString=json.dumps(TOKEN.to_json()))
    in_aws = aws.crm_credentials(org, "salesforce")
    assert in_aws.load() == TOKEN
    assert crm_pusher(in_aws).kind == "salesforce"
    assert crm_pusher(local.crm_credentials(org, "hubspot")).kind == "hubspot"


def test_an_unknown_crm_is_refused():
    with pytest.raises(Unprocessable, match="There is no CRM 'pipedrive'"):
        crm_pusher(MemoryCrmCredentials("pipedrive"))


def test_the_file_says_when_the_token_was_stored_and_a_broken_one_is_unreadable(tmp_path):
    credentials = FileCrmCredentials(tmp_path, uuid.uuid4(), "hubspot")
    credentials.save(TOKEN)

    stored_at = credentials.load().stored_at

    assert stored_at is not None and stored_at.tzinfo is not None
    assert "stored_at" not in credentials.path.read_text()
    credentials.path.write_text("not json")
    with pytest.raises(CrmCredentialsUnreadable):
        credentials.load()


def test_the_secret_says_when_its_version_was_put(secrets):
    secrets.create_secret(Name="coaching/crm/hubspot", SecretString=json.dumps(TOKEN.to_json()))

    token = SecretsManagerCrmCredentials(secrets, "coaching/crm/hubspot", "hubspot").load()

    assert token.stored_at is not None
