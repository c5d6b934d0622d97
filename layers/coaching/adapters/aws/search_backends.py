"""The AWS search indexes from the settings: Pinecone for vectors, OpenSearch for keywords.

Each is built only when configured (its host or endpoint set): otherwise the composition
keeps the PostgreSQL one, so a stage can move to either service on its own. The Pinecone
key is read from Secrets Manager once per process (cold start); OpenSearch requests are
signed with the function role's credentials.

The clients are imported only when their index is configured: the functions that never
search (export, search_backup) run with a layer without them (cdk/layer_build.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coaching.adapters.aws.secret_values import secret_string
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from coaching.adapters.aws.opensearch_index import OpenSearchKeywordIndex
    from coaching.adapters.aws.pinecone_index import PineconeVectorIndex


def pinecone_vector_index(settings: Settings, *, secrets: Any = None) -> PineconeVectorIndex | None:
    """``secrets``: a Secrets Manager client (default: boto3's, when the key is in one)."""
    host = settings.pinecone_index_host
    if not host:
        return None
    from pinecone import Index

    from coaching.adapters.aws.pinecone_index import PineconeVectorIndex

    timeout = settings.pinecone_timeout_seconds
    index = Index(host=host, api_key=_pinecone_key(settings, secrets), timeout=timeout)
    return PineconeVectorIndex(index, timeout_seconds=timeout)


def opensearch_keyword_index(
    settings: Settings, *, session: Any = None
) -> OpenSearchKeywordIndex | None:
    """``session``: a boto3 Session whose credentials sign the requests (default: the
    runtime's, e.g. the function's role)."""
    endpoint = settings.opensearch_endpoint
    if not endpoint:
        return None
    from coaching.adapters.aws.opensearch_index import OpenSearchKeywordIndex, opensearch_client

    if session is None:
        import boto3

        session = boto3.Session()
    credentials = session.get_credentials()
    if credentials is None or not session.region_name:
        raise ConfigurationError(
            "No AWS credentials or region to sign OpenSearch requests with.",
            hint="Run with a role (or AWS_PROFILE) and AWS_REGION, or unset "
            "COACH_OPENSEARCH_ENDPOINT to search keywords in PostgreSQL.",
        )
    client = opensearch_client(
        endpoint,
        region=session.region_name,
        credentials=credentials,
        service=settings.opensearch_service,
        timeout=settings.opensearch_timeout_seconds,
    )
    return OpenSearchKeywordIndex(client, prefix=settings.opensearch_index_prefix)


def _pinecone_key(settings: Settings, secrets: Any) -> str:
    if settings.pinecone_api_key:
        return settings.pinecone_api_key.get_secret_value()
    if settings.pinecone_secret_arn:
        return secret_string(settings.pinecone_secret_arn, secrets)
    raise ConfigurationError(
        "COACH_PINECONE_INDEX_HOST is set but no Pinecone API key is.",
        hint="Set COACH_PINECONE_SECRET_ARN (the stack does) or COACH_PINECONE_API_KEY.",
    )
