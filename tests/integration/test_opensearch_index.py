"""OpenSearchKeywordIndex through the real opensearch-py client against recorded HTTP.

The client (RequestsHttpConnection, signing with AWSV4SignerAuth for "aoss") is the one the
composition builds; `responses` answers in OpenSearch Serverless's place, so the signed
requests asserted here are the ones the collection would receive. No account, no network.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import pytest
import requests
import responses
from botocore.credentials import Credentials
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.aws.opensearch_index import (
    MAPPINGS,
    OpenSearchKeywordIndex,
    bool_filters,
    opensearch_client,
)
from coaching.domain.search import Hit, Passage, SearchFilters, passage_id
from coaching.ports.search_index import SearchBackendUnavailable

ENDPOINT = "https://abc123xyz.eu-west-1.aoss.amazonaws.com"
BASE = f"{ENDPOINT}:443"
ORG = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
ALIAS = f"coaching-passages-{ORG}"
COACH = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
CLIENT = uuid.UUID("00000000-0000-4000-8000-0000000000d1")
SESSION = uuid.UUID("00000000-0000-4000-8000-0000000000e1")
BULK_OK = {"took": 3, "errors": False, "items": []}


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def opensearch() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as recorded:
        yield recorded


@pytest.fixture
def index() -> OpenSearchKeywordIndex:
    client = opensearch_client(
        ENDPOINT, region="eu-west-1", credentials=Credentials("AKIDEXAMPLE", "not-a-secret")
    )
    return OpenSearchKeywordIndex(client)


def passage(turn: int, text: str = "I keep taking work back instead of delegating it") -> Passage:
    return Passage(
        id=passage_id(SESSION, "passage", turn),
        organization_id=ORG,
        session_id=SESSION,
        coach_id=COACH,
        client_id=CLIENT,
        client_name="Marcus Lee",
        speaker="Marcus Lee",
        kind="passage",
        turn_index=turn,
        session_date=dt.date(2026, 3, 9),
        session_type="one_on_one",
        source="marcus.vtt",
        text=text,
    )


def ndjson(body: bytes | str) -> list[dict]:
    text = body.decode() if isinstance(body, bytes) else body
    return [json.loads(line) for line in text.splitlines() if line]


def test_the_first_upsert_creates_the_organizations_index_behind_its_alias(opensearch, index):
    # Given no index yet for the organization
    create = opensearch.put(f"{BASE}/{ALIAS}-v1", json={"acknowledged": True})
    bulk = opensearch.post(f"{BASE}/_bulk", json=BULK_OK)
    # When two upserts run
    index.upsert(ORG, [passage(1)])
    index.upsert(ORG, [passage(2)])
    # Then the index was created once, English-analysed, BM25, with the alias on it
    assert create.call_count == 1
    body = json.loads(create.calls[0].request.body)
    assert body == {"mappings": MAPPINGS, "aliases": {ALIAS: {}}}
    assert body["mappings"]["properties"]["text"] == {
        "type": "text",
        "analyzer": "english",
        "similarity": "BM25",
    }
    # and the documents went through the alias, by their stable ids
    assert bulk.call_count == 2
    action, document = ndjson(bulk.calls[0].request.body)
    assert action == {"index": {"_id": str(passage_id(SESSION, "passage", 1)), "_index": ALIAS}}
    assert document == {
        "text": "I keep taking work back instead of delegating it",
        "coach_id": str(COACH),
        "client_id": str(CLIENT),
        "session_id": str(SESSION),
        "kind": "passage",
        "session_type": "one_on_one",
        "session_date": "2026-03-09",
    }


def test_requests_are_signed_for_opensearch_serverless(opensearch, index):
    opensearch.put(f"{BASE}/{ALIAS}-v1", json={"acknowledged": True})
    bulk = opensearch.post(f"{BASE}/_bulk", json=BULK_OK)
    index.upsert(ORG, [passage(1)])
    headers = bulk.calls[0].request.headers
    assert "/eu-west-1/aoss/aws4_request" in headers["Authorization"]
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    # Serverless requires the payload's hash in a header
    assert len(headers["X-Amz-Content-SHA256"]) == 64


def test_an_index_made_by_another_process_is_used_as_it_is(opensearch, index):
    opensearch.put(
        f"{BASE}/{ALIAS}-v1",
        status=400,
        json={
            "error": {
                "type": "resource_already_exists_exception",
                "root_cause": [{"reason": "index already exists"}],
            },
            "status": 400,
        },
    )
    bulk = opensearch.post(f"{BASE}/_bulk", json=BULK_OK)
    index.upsert(ORG, [passage(1)])
    assert bulk.call_count == 1


def test_a_refused_index_creation_is_search_backend_unavailable(opensearch, index):
    opensearch.put(
        f"{BASE}/{ALIAS}-v1",
        status=403,
        json={"error": {"type": "security_exception", "root_cause": []}, "status": 403},
    )
    with pytest.raises(SearchBackendUnavailable, match="index creation"):
        index.upsert(ORG, [passage(1)])


def test_bulk_upserts_go_in_chunks(opensearch, index):
    opensearch.put(f"{BASE}/{ALIAS}-v1", json={"acknowledged": True})
    bulk = opensearch.post(f"{BASE}/_bulk", json=BULK_OK)
    index.upsert(ORG, [passage(turn) for turn in range(1200)])
    assert [len(ndjson(call.request.body)) // 2 for call in bulk.calls] == [500, 500, 200]


def test_a_document_the_bulk_refuses_is_search_backend_unavailable(opensearch, index):
    opensearch.put(f"{BASE}/{ALIAS}-v1", json={"acknowledged": True})
    refused = {
        "took": 1,
        "errors": True,
        "items": [
            {"index": {"_id": str(passage_id(SESSION, "passage", 1)), "status": 429}},
        ],
    }
    opensearch.post(f"{BASE}/_bulk", json=refused)
    with pytest.raises(SearchBackendUnavailable, match="refused 1 of 1"):
        index.upsert(ORG, [passage(1)])


def test_delete_removes_the_ids_and_a_missing_one_is_not_an_error(opensearch, index):
    gone, kept = passage_id(SESSION, "passage", 1), passage_id(SESSION, "passage", 2)
    bulk = opensearch.post(
        f"{BASE}/_bulk",
        json={
            "took": 1,
            "errors": True,
            "items": [
                {"delete": {"_id": str(gone), "status": 200, "result": "deleted"}},
                {"delete": {"_id": str(kept), "status": 404, "result": "not_found"}},
            ],
        },
    )
    index.delete(ORG, [gone, kept])
    assert ndjson(bulk.calls[0].request.body) == [
        {"delete": {"_id": str(gone), "_index": ALIAS}},
        {"delete": {"_id": str(kept), "_index": ALIAS}},
    ]


def test_query_sends_bm25_match_with_every_filter_and_answers_ids_best_first(opensearch, index):
    # Given OpenSearch's answer
    first, second = passage_id(SESSION, "passage", 1), passage_id(SESSION, "win", CLIENT, 0)
    search = opensearch.post(
        f"{BASE}/{ALIAS}/_search",
        json={
            "hits": {
                "hits": [{"_id": str(first), "_score": 7.5}, {"_id": str(second), "_score": 2.25}]
            }
        },
    )
    filters = SearchFilters(
        coach_ids=frozenset({COACH}),
        client_ids=frozenset({CLIENT}),
        session_ids=frozenset({SESSION}),
        kinds=frozenset({"win", "passage"}),
        session_types=frozenset({"one_on_one"}),
        date_from=dt.date(2026, 3, 1),
        date_to=dt.date(2026, 3, 31),
    )
    # When a query runs
    hits = index.query(ORG, "struggled with delegation", filters, limit=10)
    # Then the ids come back in OpenSearch's order with its scores
    assert hits == [Hit(passage_id=first, score=7.5), Hit(passage_id=second, score=2.25)]
    # and the query was a match on the text with every filter as a bool filter, no _source
    assert json.loads(search.calls[0].request.body) == {
        "size": 10,
        "_source": False,
        "track_total_hits": False,
        "query": {
            "bool": {
                "must": [{"match": {"text": {"query": "struggled with delegation"}}}],
                "filter": [
                    {"terms": {"coach_id": [str(COACH)]}},
                    {"terms": {"client_id": [str(CLIENT)]}},
                    {"terms": {"session_id": [str(SESSION)]}},
                    {"terms": {"kind": ["passage", "win"]}},
                    {"terms": {"session_type": ["one_on_one"]}},
                    {"range": {"session_date": {"gte": "2026-03-01", "lte": "2026-03-31"}}},
                ],
            }
        },
    }


def test_an_organization_with_no_index_yet_has_no_results(opensearch, index):
    opensearch.post(
        f"{BASE}/{ALIAS}/_search",
        status=404,
        json={"error": {"type": "index_not_found_exception", "root_cause": []}, "status": 404},
    )
    assert index.query(ORG, "delegation", SearchFilters(), limit=5) == []


def test_a_filter_that_allows_nothing_or_an_empty_query_asks_nothing(opensearch, index):
    search = opensearch.post(f"{BASE}/{ALIAS}/_search", json={"hits": {"hits": []}})
    assert index.query(ORG, "delegation", SearchFilters(coach_ids=frozenset()), limit=5) == []
    assert index.query(ORG, "   ", SearchFilters(), limit=5) == []
    assert search.call_count == 0
    assert bool_filters(SearchFilters(session_types=frozenset())) is None


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503, "json": {"error": {"type": "unavailable"}, "status": 503}},
        {"status": 403, "json": {"error": {"type": "security_exception"}, "status": 403}},
        {"body": requests.ConnectTimeout("timed out")},
        {"body": requests.ConnectionError("refused")},
    ],
    ids=["unavailable", "refused", "timeout", "network"],
)
def test_a_failing_opensearch_is_search_backend_unavailable(opensearch, index, answer):
    opensearch.post(f"{BASE}/{ALIAS}/_search", **answer)
    opensearch.post(f"{BASE}/_bulk", **answer)
    with pytest.raises(SearchBackendUnavailable, match="OpenSearch"):
        index.query(ORG, "delegation", SearchFilters(), limit=5)
    with pytest.raises(SearchBackendUnavailable):
        index.delete(ORG, [passage_id(SESSION, "passage", 1)])
