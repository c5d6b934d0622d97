"""The AWS search indexes built from the settings: only when configured, the Pinecone key
from Secrets Manager (moto), OpenSearch requests signed with the session's credentials."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import boto3
import pytest
import responses
import respx
from moto.secretsmanager.models import secretsmanager_backends
from pydantic import SecretStr

from coaching.adapters.aws.search_backends import opensearch_keyword_index, pinecone_vector_index
from coaching.adapters.aws.secret_values import with_openai_key
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError
from coaching.domain.search import SearchFilters
from tests.moto_scope import scoped_mock_aws

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
HOST = "https://passages-abc123.svc.aped-4627-b74a.pinecone.io"
ENDPOINT = "https://abc123xyz.eu-west-1.aoss.amazonaws.com"
ORG = uuid.UUID("00000000-0000-4000-8000-0000000000aa")


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with scoped_mock_aws(secretsmanager_backends):
        yield boto3.client("secretsmanager", region_name=REGION)


def test_nothing_configured_keeps_the_postgresql_indexes():
    settings = Settings(runtime="aws")
    assert pinecone_vector_index(settings) is None
    assert opensearch_keyword_index(settings) is None


def test_the_pinecone_key_is_read_from_the_stack_s_secret(secrets):
    # Given the secret an operator put the key in
    arn = secrets.create_secret(Name="coaching/pinecone", SecretString="pc-key-123\n")["ARN"]
    settings = Settings(runtime="aws", pinecone_index_host=HOST, pinecone_secret_arn=arn)
    # When the index is built
    index = pinecone_vector_index(settings, secrets=secrets)
    assert index is not None
    # Then its requests carry that key, to that host
    with respx.mock(base_url=HOST) as pinecone:
        route = pinecone.post("/query").respond(200, json={"matches": [], "namespace": str(ORG)})
        assert index.query(ORG, [1.0, 0.0], SearchFilters(), limit=3) == []
    assert route.calls[0].request.headers["api-key"] == "pc-key-123"


def test_a_pinecone_host_without_a_key_is_a_configuration_error():
    settings = Settings(runtime="aws", pinecone_index_host=HOST)
    with pytest.raises(ConfigurationError, match="Pinecone API key"):
        pinecone_vector_index(settings)
    # A key given directly (a local try-out) needs no secret
    direct = Settings(pinecone_index_host=HOST, pinecone_api_key=SecretStr("pc-direct"))
    assert pinecone_vector_index(direct) is not None


def test_opensearch_requests_are_signed_with_the_session_s_credentials_for_the_service():
    session = boto3.Session(
        aws_access_key_id="AKIDROLE", aws_secret_access_key="not-a-secret", region_name=REGION
    )
    settings = Settings(
        runtime="aws", opensearch_endpoint=ENDPOINT, opensearch_index_prefix="stage-passages"
    )
    index = opensearch_keyword_index(settings, session=session)
    assert index is not None
    with responses.RequestsMock() as opensearch:
        search = opensearch.post(
            f"{ENDPOINT}:443/stage-passages-{ORG}/_search", json={"hits": {"hits": []}}
        )
        assert index.query(ORG, "delegation", SearchFilters(), limit=3) == []
    authorization = search.calls[0].request.headers["Authorization"]
    assert "Credential=AKIDROLE/" in authorization
    assert f"/{REGION}/aoss/aws4_request" in authorization
    assert json.loads(search.calls[0].request.body)["size"] == 3


def test_opensearch_without_credentials_is_a_configuration_error():
    class NoCredentials:
        region_name = REGION

        def get_credentials(self) -> None:
            return None

    settings = Settings(runtime="aws", opensearch_endpoint=ENDPOINT)
    with pytest.raises(ConfigurationError, match="credentials"):
        opensearch_keyword_index(settings, session=NoCredentials())


def test_the_openai_key_is_read_from_its_secret_when_only_the_secret_is_named(secrets):
    secrets.create_secret(Name="coaching/dev/openai", SecretString="sk-from-secret")
    named = Settings(runtime="aws", openai_api_key_secret="coaching/dev/openai")
    keyed = with_openai_key(named, secrets=secrets)
    assert keyed.openai_api_key is not None
    assert keyed.openai_api_key.get_secret_value() == "sk-from-secret"
    # A key given directly wins; nothing named, nothing read
    direct = Settings(openai_api_key="sk-direct", openai_api_key_secret="coaching/dev/openai")
    assert with_openai_key(direct, secrets=None) is direct
    assert with_openai_key(Settings(runtime="aws"), secrets=None).openai_api_key is None
