"""The database reached as the functions reach Aurora: through a Secrets Manager secret."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto.secretsmanager.models import secretsmanager_backends
from psycopg.conninfo import conninfo_to_dict

from coaching.adapters.postgres.database import Database
from coaching.composition import build_ports
from coaching.config import DatabaseSecret, Settings, forget_database_secrets
from tests.moto_scope import scoped_mock_aws

REGION = "eu-west-1"


@pytest.fixture
def secrets() -> Iterator[object]:
    forget_database_secrets()
    with scoped_mock_aws(secretsmanager_backends):
        yield boto3.client("secretsmanager", region_name=REGION)
    forget_database_secrets()


def rds_secret(**values: object) -> str:
    shape = {"engine": "postgres", "host": "aurora.cluster-x.eu-west-1.rds.amazonaws.com"}
    shape |= {"port": 5432, "username": "coach_owner", "password": "first", "dbname": "coaching"}
    return json.dumps(shape | values)


def test_settings_build_the_conninfo_from_the_secret_with_tls_and_the_proxy_host(secrets) -> None:
    # Given a secret in the RDS shape and the proxy endpoint as the host
    arn = secrets.create_secret(Name="db", SecretString=rds_secret())["ARN"]
    settings = Settings(
        database_secret_arn=arn, database_host="coaching.proxy-x.eu-west-1.rds.amazonaws.com"
    )
    # When the conninfo is built
    conninfo = conninfo_to_dict(
        DatabaseSecret(arn, host=settings.database_host, client=secrets).conninfo()
    )
    # Then it takes the secret's credentials, the proxy's host and requires TLS
    assert conninfo == {
        "host": "coaching.proxy-x.eu-west-1.rds.amazonaws.com",
        "port": "5432",
        "user": "coach_owner",
        "password": "first",
        "dbname": "coaching",
        "sslmode": "require",
    }
    assert isinstance(settings.database_source(), DatabaseSecret)


def test_a_url_wins_over_the_secret_and_nothing_configured_is_none() -> None:
    assert Settings(database_url="postgresql:///x", database_secret_arn="arn").database_source()
    assert Settings(database_url="postgresql:///x").database_source().conninfo() == (
        "postgresql:///x"
    )
    assert Settings(database_url=None, database_secret_arn=None).database_source() is None


def test_the_secret_is_read_once_per_container_and_again_only_when_it_changed(secrets) -> None:
    # Given a secret read once
    arn = secrets.create_secret(Name="db", SecretString=rds_secret())["ARN"]
    first = DatabaseSecret(arn, client=secrets)
    assert conninfo_to_dict(first.conninfo())["password"] == "first"
    # When it rotates
    secrets.put_secret_value(SecretId=arn, SecretString=rds_secret(password="second"))
    # Then the container keeps the cached value (a new reader too) until a refresh is asked
    assert conninfo_to_dict(DatabaseSecret(arn, client=secrets).conninfo())["password"] == "first"
    assert conninfo_to_dict(first.refreshed())["password"] == "second"
    assert conninfo_to_dict(first.conninfo())["password"] == "second"
    # And a refresh that finds the same value says so
    assert first.refreshed() is None


def test_a_refused_connection_is_retried_once_with_the_rotated_secret(secrets, platform) -> None:
    # Given the embedded server behind a secret whose credentials are out of date (rotated:
    # here a database name that does not exist stands for the old password)
    server = conninfo_to_dict(platform.settings.database_url)
    current = rds_secret(
        host=server["host"], port=int(server.get("port", 5432)), username=server["user"],
        password="any", dbname=server["dbname"],
    )  # fmt: skip
    stale = json.loads(current) | {"dbname": "rotated_away"}
    arn = secrets.create_secret(Name="db", SecretString=json.dumps(stale))["ARN"]
    source = DatabaseSecret(arn, client=secrets)
    source.conninfo()  # cached for the container, as on a cold start
    secrets.put_secret_value(SecretId=arn, SecretString=current)
    # When the database adapter connects through it
    database = Database(source, max_size=1)
    try:
        with database.transaction() as conn:
            # Then the first refusal re-read the secret and the second attempt got in
            assert conn.execute("SELECT current_database() AS db").fetchone() == {
                "db": server["dbname"]
            }
    finally:
        database.close()


def test_the_lambda_ports_connect_through_the_secret(secrets, platform, monkeypatch) -> None:
    # Given a function's environment in AWS: no URL, the secret's ARN (TLS over the Unix
    # socket is not negotiated by libpq, so the embedded server still answers)
    server = conninfo_to_dict(platform.settings.database_url)
    secret = rds_secret(
        host="aurora.example", username=server["user"], password="any", dbname=server["dbname"]
    )
    arn = secrets.create_secret(Name="db", SecretString=secret)["ARN"]
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    settings = Settings(database_url=None, database_secret_arn=arn, database_host=server["host"])
    # When the composition root builds the database
    ports = build_ports(settings)
    try:
        # Then it reaches the embedded server through the proxy host override
        with ports.database.transaction() as conn:
            assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}
    finally:
        ports.close()
