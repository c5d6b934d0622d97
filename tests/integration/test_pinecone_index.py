"""PineconeVectorIndex through the real `pinecone` SDK against recorded HTTP (respx).

The SDK's Index talks to the index's host over httpx; respx answers in its place, so the
requests asserted here are the ones Pinecone would receive. No key, no network.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
import respx
from pinecone import Index
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.aws.pinecone_index import PineconeVectorIndex, metadata_filter
from coaching.domain.search import Hit, Passage, SearchFilters, passage_id
from coaching.ports.search_index import SearchBackendUnavailable

HOST = "https://passages-abc123.svc.aped-4627-b74a.pinecone.io"
ORG = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
COACH = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
CLIENT = uuid.UUID("00000000-0000-4000-8000-0000000000d1")
SESSION = uuid.UUID("00000000-0000-4000-8000-0000000000e1")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The SDK's own seam for its retry back-off (so a retried 503 does not wait here).
    monkeypatch.setattr("pinecone._internal.http_client._retry_sleep", lambda _seconds: None)
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def pinecone() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=HOST, assert_all_called=False) as router:
        yield router


@pytest.fixture
def index() -> PineconeVectorIndex:
    return PineconeVectorIndex(Index(host=HOST, api_key="test-key"), timeout_seconds=5)


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


def sent(route: respx.Route, call: int = -1) -> dict:
    return json.loads(route.calls[call].request.content)


def test_upsert_writes_the_seed_metadata_in_the_organizations_namespace(pinecone, index):
    # Given a passage longer than the preview
    route = pinecone.post("/vectors/upsert").respond(200, json={"upsertedCount": 1})
    long_text = "delegation " * 40
    # When it is upserted
    index.upsert(ORG, [passage(3, long_text)], [[0.6, 0.8]])
    # Then Pinecone gets the vector in the organization's namespace, with the seed's schema
    body = sent(route)
    assert body["namespace"] == str(ORG)
    [vector] = body["vectors"]
    assert vector["id"] == str(passage_id(SESSION, "passage", 3))
    assert vector["values"] == [0.6, 0.8]
    assert vector["metadata"] == {
        "coach_id": str(COACH),
        "client_id": str(CLIENT),
        "session_id": str(SESSION),
        "session_date": 20260309,
        "session_type": "one_on_one",
        "content_type": "passage",
        "text_preview": long_text[:200],
    }
    # and never the whole text, nor the client's name
    assert long_text not in route.calls[0].request.content.decode()
    assert "Marcus" not in route.calls[0].request.content.decode()
    assert route.calls[0].request.headers["api-key"] == "test-key"


def test_unknown_fields_are_left_out_of_the_metadata(pinecone, index):
    route = pinecone.post("/vectors/upsert").respond(200, json={"upsertedCount": 1})
    overview = passage(0).model_copy(
        update={"client_id": None, "session_date": None, "session_type": None, "kind": "overview"}
    )
    index.upsert(ORG, [overview], [[1.0, 0.0]])
    assert set(sent(route)["vectors"][0]["metadata"]) == {
        "coach_id",
        "session_id",
        "content_type",
        "text_preview",
    }


def test_upserts_go_in_batches_of_at_most_a_hundred(pinecone, index):
    route = pinecone.post("/vectors/upsert").respond(200, json={"upsertedCount": 100})
    passages = [passage(turn) for turn in range(250)]
    index.upsert(ORG, passages, [[1.0, 0.0]] * 250)
    assert [len(sent(route, call)["vectors"]) for call in range(route.call_count)] == [
        100,
        100,
        50,
    ]


def test_delete_removes_the_ids_from_the_organizations_namespace(pinecone, index):
    route = pinecone.post("/vectors/delete").respond(200, json={})
    ids = [passage_id(SESSION, "passage", turn) for turn in (1, 2)]
    index.delete(ORG, ids)
    assert sent(route) == {"namespace": str(ORG), "ids": [str(i) for i in ids]}


def test_delete_of_nothing_asks_nothing(pinecone, index):
    route = pinecone.post("/vectors/delete").respond(200, json={})
    index.delete(ORG, [])
    assert route.call_count == 0


def test_query_sends_every_filter_and_answers_ids_best_first(pinecone, index):
    # Given Pinecone's answer for a filtered query
    first, second = passage_id(SESSION, "passage", 1), passage_id(SESSION, "win", CLIENT, 0)
    route = pinecone.post("/query").respond(
        200,
        json={
            "matches": [{"id": str(first), "score": 0.91}, {"id": str(second), "score": 0.72}],
            "namespace": str(ORG),
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
    hits = index.query(ORG, [0.6, 0.8], filters, limit=10)
    # Then the hits come back in Pinecone's order with its scores
    assert hits == [Hit(passage_id=first, score=0.91), Hit(passage_id=second, score=0.72)]
    # and every filter went as a metadata condition, in the organization's namespace only
    body = sent(route)
    assert body["namespace"] == str(ORG)
    assert body["topK"] == 10
    assert body["vector"] == [0.6, 0.8]
    assert body["includeMetadata"] is False
    assert body["filter"] == {
        "$and": [
            {"coach_id": {"$in": [str(COACH)]}},
            {"client_id": {"$in": [str(CLIENT)]}},
            {"session_id": {"$in": [str(SESSION)]}},
            {"content_type": {"$in": ["passage", "win"]}},
            {"session_type": {"$in": ["one_on_one"]}},
            {"session_date": {"$gte": 20260301, "$lte": 20260331}},
        ]
    }


def test_a_query_without_filters_sends_none(pinecone, index):
    route = pinecone.post("/query").respond(200, json={"matches": [], "namespace": str(ORG)})
    assert index.query(ORG, [1.0, 0.0], SearchFilters(), limit=5) == []
    assert "filter" not in sent(route)


def test_a_single_filter_is_sent_without_and(pinecone, index):
    route = pinecone.post("/query").respond(200, json={"matches": [], "namespace": str(ORG)})
    index.query(ORG, [1.0, 0.0], SearchFilters(date_from=dt.date(2026, 1, 2)), limit=5)
    assert sent(route)["filter"] == {"session_date": {"$gte": 20260102}}


def test_a_filter_that_allows_nothing_asks_pinecone_nothing(pinecone, index):
    # A coach who may see no one: an empty visibility set
    route = pinecone.post("/query").respond(200, json={"matches": [], "namespace": str(ORG)})
    assert index.query(ORG, [1.0, 0.0], SearchFilters(coach_ids=frozenset()), limit=5) == []
    assert route.call_count == 0
    assert metadata_filter(SearchFilters(kinds=frozenset())) is None


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"code": 16, "message": "Invalid API Key"}),
        httpx.Response(503, json={"code": 14, "message": "Unavailable"}),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("refused"),
    ],
    ids=["refused", "unavailable", "timeout", "network"],
)
def test_a_failing_pinecone_is_search_backend_unavailable(pinecone, index, answer):
    if isinstance(answer, httpx.Response):
        pinecone.post("/query").mock(return_value=answer)
        pinecone.post("/vectors/upsert").mock(return_value=answer)
    else:
        pinecone.post("/query").mock(side_effect=answer)
        pinecone.post("/vectors/upsert").mock(side_effect=answer)
    with pytest.raises(SearchBackendUnavailable, match="Pinecone"):
        index.query(ORG, [1.0, 0.0], SearchFilters(), limit=5)
    with pytest.raises(SearchBackendUnavailable):
        index.upsert(ORG, [passage(1)], [[1.0, 0.0]])
