"""The OpenAI embedder against recorded embeddings replies (respx): never a live call.

A busy or failing service is EmbeddingUnavailable (the search then answers from keywords);
a refused key is its own error, for a person to fix.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from types import SimpleNamespace

import httpx
import openai
import pytest
import respx
from pydantic import SecretStr
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.openai import (
    AIAccessDenied,
    AIConfigurationError,
    CircuitBreaker,
    EmbeddingOptions,
    OpenAIEmbedder,
    build_openai_embedder,
)
from coaching.adapters.openai.resilience import Backoff
from coaching.ports.embedder import EmbeddingUnavailable
from tests.openai_recordings import API_KEY, BASE_URL, recorded, sent

pytestmark = pytest.mark.integration

EMBEDDINGS = f"{BASE_URL}/embeddings"


@pytest.fixture(autouse=True)
def _no_network():
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_embedder(sleeps):
    def make(breaker: CircuitBreaker | None = None, **options) -> OpenAIEmbedder:
        return OpenAIEmbedder(
            openai.OpenAI(api_key=API_KEY, base_url=BASE_URL),
            EmbeddingOptions(**{"dimensions": 8, **options}),
            breaker=breaker or CircuitBreaker(clock=lambda: 1000.0),
            sleep=sleeps.append,
            backoff=Backoff(maximum=1.0, rng=random.Random(7)),
        )

    return make


@pytest.fixture
def mock_api():
    with respx.mock(assert_all_called=False) as router:
        yield router


def echo(request: httpx.Request) -> httpx.Response:
    """A well-formed reply for whatever was asked: each text's vector from its hash, in
    reverse order of index (the API may answer in any order; `index` says which is which)."""
    body = json.loads(request.content)
    dimensions = body.get("dimensions", 1536)
    data = [
        {"object": "embedding", "index": index, "embedding": hashed(text, dimensions)}
        for index, text in enumerate(body["input"])
    ]
    return httpx.Response(
        200, json={"object": "list", "data": data[::-1], "model": body["model"], "usage": {}}
    )


def hashed(text: str, dimensions: int) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [digest[i % len(digest)] / 255 + 0.01 for i in range(dimensions)]  # not unit length


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


def test_texts_are_embedded_with_the_configured_model_and_length(mock_api, make_embedder):
    route = mock_api.post(EMBEDDINGS).mock(return_value=recorded("embeddings_ok"))
    embedder = make_embedder()
    vectors = embedder.embed(["Who struggled with delegation?", "Ann hands work over."])
    assert sent(route) == {
        "model": "text-embedding-3-small",
        "input": ["Who struggled with delegation?", "Ann hands work over."],
        "dimensions": 8,
        "encoding_format": "float",
    }
    expected = [item["embedding"] for item in recorded("embeddings_ok").json()["data"]]
    assert vectors == [pytest.approx(vector, abs=1e-6) for vector in expected]
    # Shortened vectors are another model's: they must never meet full-length ones
    assert embedder.model == "text-embedding-3-small@8"
    assert embedder.dimensions == 8


def test_full_length_vectors_carry_the_models_name_and_send_no_dimensions(mock_api, make_embedder):
    route = mock_api.post(EMBEDDINGS).mock(side_effect=echo)
    embedder = make_embedder(dimensions=1536)
    [vector] = embedder.embed(["hello"])
    assert "dimensions" not in sent(route)  # older models and compatible servers refuse it
    assert embedder.model == "text-embedding-3-small"
    assert len(vector) == 1536


def test_no_texts_send_no_request(mock_api, make_embedder):
    route = mock_api.post(EMBEDDINGS).mock(side_effect=echo)
    assert make_embedder().embed([]) == []
    assert not route.called


def test_many_texts_go_in_batches_and_come_back_in_order_at_unit_length(mock_api, make_embedder):
    route = mock_api.post(EMBEDDINGS).mock(side_effect=echo)
    texts = [f"passage {n}" for n in range(10)]
    vectors = make_embedder(batch_size=4).embed(texts)
    assert [len(sent(route, call)["input"]) for call in range(route.call_count)] == [4, 4, 2]
    assert vectors == [pytest.approx(unit(hashed(text, 8))) for text in texts]


def test_an_over_long_text_is_cut_rather_than_refused(mock_api, make_embedder):
    route = mock_api.post(EMBEDDINGS).mock(side_effect=echo)
    make_embedder().embed(["word " * 20_000])
    assert len(sent(route)["input"][0]) == 24_000


def test_one_busy_answer_is_retried_once(mock_api, make_embedder, sleeps):
    answers = iter([lambda request: recorded("rate_limited"), echo])
    route = mock_api.post(EMBEDDINGS).mock(side_effect=lambda request: next(answers)(request))
    assert len(make_embedder().embed(["hello"])) == 1
    assert route.call_count == 2
    assert sleeps == [1.0]  # the Retry-After of 2 s, capped at the backoff's maximum


@pytest.mark.parametrize("failure", ["rate_limited", "server_error", "timeout"])
def test_a_busy_or_failing_service_is_embedding_unavailable(
    mock_api, make_embedder, sleeps, failure
):
    answer = httpx.ReadTimeout("timed out") if failure == "timeout" else recorded(failure)
    route = mock_api.post(EMBEDDINGS).mock(side_effect=[answer, answer])
    with pytest.raises(EmbeddingUnavailable):
        make_embedder().embed(["hello"])
    assert route.call_count == 2  # one retry, then the search falls back to keywords
    assert len(sleeps) == 1


def test_a_reply_with_the_wrong_number_of_vectors_is_embedding_unavailable(mock_api, make_embedder):
    mock_api.post(EMBEDDINGS).mock(return_value=recorded("embeddings_ok"))  # two vectors
    with pytest.raises(EmbeddingUnavailable):
        make_embedder().embed(["one", "two", "three"])


def test_a_refused_key_is_not_hidden_behind_a_fallback(mock_api, make_embedder):
    route = mock_api.post(EMBEDDINGS).mock(return_value=recorded("invalid_api_key"))
    with pytest.raises(AIAccessDenied) as raised:
        make_embedder().embed(["hello"])
    assert route.call_count == 1
    assert "sk-test" not in str(raised.value)  # the SDK's message quotes the key


def test_an_open_breaker_answers_unavailable_without_a_request(mock_api, make_embedder):
    # Given a breaker that opened after two failed requests
    route = mock_api.post(EMBEDDINGS).mock(return_value=recorded("server_error"))
    embedder = make_embedder(CircuitBreaker(failure_threshold=2, clock=lambda: 1000.0))
    with pytest.raises(EmbeddingUnavailable):
        embedder.embed(["hello"])
    assert embedder.breaker.state == "open"
    # When the next query comes, Then it is unavailable at once: no request, no wait
    with pytest.raises(EmbeddingUnavailable):
        embedder.embed(["hello again"])
    assert route.call_count == 2


# -- configuration --------------------------------------------------------------------------


def settings(**values) -> SimpleNamespace:
    defaults = {
        "openai_api_key": SecretStr(API_KEY),
        "openai_base_url": None,
        "openai_timeout_seconds": 30.0,
        "openai_embedding_model": "text-embedding-3-large",
        "openai_embedding_dimensions": 1024,
    }
    return SimpleNamespace(**{**defaults, **values})


def test_the_embedder_is_built_from_the_settings():
    embedder = build_openai_embedder(settings())  # type: ignore[arg-type]
    assert embedder.options.model == "text-embedding-3-large"
    assert embedder.dimensions == 1024
    assert embedder.model == "text-embedding-3-large@1024"
    assert embedder.options.timeout == 8.0  # a query waits on it: shorter than the analyzer's


def test_without_a_key_or_a_server_there_is_no_openai_embedder():
    with pytest.raises(AIConfigurationError, match="COACH_OPENAI_API_KEY") as raised:
        build_openai_embedder(settings(openai_api_key=None))  # type: ignore[arg-type]
    assert "COACH_EMBEDDER=local" in raised.value.hint
