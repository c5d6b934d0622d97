"""The VectorIndex and KeywordIndex contract (test_search_indexes_contract.py) on the AWS
adapters: PineconeVectorIndex and OpenSearchKeywordIndex through their real clients, whose
HTTP is answered by in-memory services reading the requests as Pinecone and OpenSearch would
(tests/search_services.py). No key, no network."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
import responses
import respx
from botocore.credentials import Credentials
from pinecone import Index
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.aws.opensearch_index import OpenSearchKeywordIndex, opensearch_client
from coaching.adapters.aws.pinecone_index import PineconeVectorIndex
from tests.contracts.backends import FakeBackend
from tests.contracts.test_search_indexes_contract import (  # noqa: F401 - the contract's tests
    test_a_natural_question_still_matches_and_every_word_ranks_first,
    test_another_organizations_passages_never_answer,
    test_deleted_passages_no_longer_answer,
    test_every_filter_applies_to_keywords,
    test_every_filter_applies_to_vectors,
    test_keywords_find_the_passages_with_the_word,
    test_scores_come_best_first,
    test_the_limit_is_kept,
    test_the_nearest_vector_comes_first,
    world,
)
from tests.search_services import OpenSearchEmulator, PineconeEmulator

PINECONE = "https://passages-contract.svc.aped-4627-b74a.pinecone.io"
OPENSEARCH = "https://contract123.eu-west-1.aoss.amazonaws.com"


def _pinecone_side_effect(service: PineconeEmulator):
    def answer(request: httpx.Request) -> httpx.Response:
        status, body = service.handle(request.method, request.url.path, request.content)
        return httpx.Response(status, json=body)

    return answer


def _opensearch_callback(service: OpenSearchEmulator):
    def answer(request):  # a PreparedRequest of requests
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        handled = service.handle(request.method, urlsplit(request.url).path, body)
        assert handled is not None, (request.method, request.url)
        status, answer_body = handled
        return status, {"Content-Type": "application/json"}, json.dumps(answer_body)

    return answer


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    """The in-memory store and ports, with the AWS adapters as the two indexes."""
    pinecone, opensearch = PineconeEmulator(), OpenSearchEmulator()
    disable_socket(allow_unix_socket=False)
    with (
        respx.mock(base_url=PINECONE, assert_all_called=False) as pinecone_http,
        responses.RequestsMock(assert_all_requests_are_fired=False) as opensearch_http,
    ):
        pinecone_http.route().mock(side_effect=_pinecone_side_effect(pinecone))
        for method in (responses.PUT, responses.POST):
            opensearch_http.add_callback(
                method,
                re.compile(rf"^{re.escape(OPENSEARCH)}(:443)?/"),
                callback=_opensearch_callback(opensearch),
            )
        backend = FakeBackend()
        backend.ports["vector_index"] = PineconeVectorIndex(Index(host=PINECONE, api_key="k"))
        client = opensearch_client(
            OPENSEARCH, region="eu-west-1", credentials=Credentials("AKID", "not-a-secret")
        )
        backend.ports["keyword_index"] = OpenSearchKeywordIndex(client)
        yield backend
    enable_socket()


@pytest.fixture
def org(backend) -> uuid.UUID:
    return backend.new_org()
