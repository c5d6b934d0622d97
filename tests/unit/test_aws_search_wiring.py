"""The composition in AWS: Pinecone, OpenSearch and OpenAI's embeddings where configured, each
else its PostgreSQL counterpart (or no embedder: keywords only). Nothing is called."""

from __future__ import annotations

import pytest

from coaching.adapters.aws.opensearch_index import OpenSearchKeywordIndex
from coaching.adapters.aws.pinecone_index import PineconeVectorIndex
from coaching.adapters.openai.embedder import OpenAIEmbedder
from coaching.adapters.postgres.search_indexes import PgVectorIndex, PostgresKeywordIndex
from coaching.adapters.unavailable_embedder import UnavailableEmbedder
from coaching.composition import Ports, build_ports
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError


def aws_ports(**settings: object) -> Ports:
    ports = build_ports(Settings(database_url=None, runtime="aws", **settings))
    ports.__dict__["database"] = object()  # the store and pgvector only keep it here
    return ports


def test_with_nothing_configured_search_stays_in_postgresql_with_keywords_only():
    search = aws_ports().search
    assert isinstance(search.vectors, PgVectorIndex)
    assert isinstance(search.keywords, PostgresKeywordIndex)
    assert isinstance(search.embedder, UnavailableEmbedder)


def test_what_the_stack_configures_is_what_searches(monkeypatch: pytest.MonkeyPatch):
    # Given the settings the stack gives the search functions, a role's credentials and keys
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "role")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "role")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    search = aws_ports(
        pinecone_index_host="https://passages-abc.svc.aped-4627-b74a.pinecone.io",
        pinecone_api_key="pc-key",
        opensearch_endpoint="https://abc123xyz.eu-west-1.aoss.amazonaws.com",
        openai_api_key="sk-test",
    ).search
    # Then Pinecone holds the vectors, OpenSearch the keywords, OpenAI embeds
    assert isinstance(search.vectors, PineconeVectorIndex)
    assert isinstance(search.keywords, OpenSearchKeywordIndex)
    assert isinstance(search.embedder, OpenAIEmbedder)
    assert search.embedder.model == "text-embedding-3-small"


def test_the_local_model_is_not_deployed_to_aws():
    with pytest.raises(ConfigurationError, match="COACH_EMBEDDER=local"):
        _ = aws_ports(embedder="local").search
