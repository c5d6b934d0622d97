"""The Embedder contract: the fake and the packaged local model answer alike.

Both run in-process with no network (the local model is inside an installed package);
the OpenAI embedder's own tests replay recorded HTTP (tests/integration).
"""

from __future__ import annotations

import math

import pytest

from coaching.adapters.local.embedder import LocalEmbedder
from coaching.ports.embedder import Embedder
from tests.fakes.embedder import FakeEmbedder

# (query, a text about it, a text about something else)
TRIPLES = [
    (
        "Who struggled with delegation?",
        "I struggle to delegate tasks to my team and end up doing everything myself.",
        "The quarterly budget report is due on Friday afternoon.",
    ),
    (
        "conflict with her manager",
        "She had another conflict with her manager about the deadlines.",
        "We talked about his marathon training and running shoes.",
    ),
    (
        "fear of public speaking",
        "Speaking in public at the all-hands fills me with fear.",
        "The new office coffee machine finally arrived.",
    ),
]


@pytest.fixture(scope="module", params=["fake", "local"])
def embedder(request) -> Embedder:
    return FakeEmbedder() if request.param == "fake" else LocalEmbedder()


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_it_names_its_model_and_dimensions(embedder):
    assert embedder.model
    assert embedder.dimensions == 384


def test_no_texts_give_no_vectors(embedder):
    assert embedder.embed([]) == []


def test_each_text_gets_one_unit_vector_of_the_given_dimensions(embedder):
    texts = ["Ann finished the budget draft.", "", "a " * 600]  # empty and over-long too
    vectors = embedder.embed(texts)
    assert len(vectors) == len(texts)
    for vector in vectors:
        assert len(vector) == embedder.dimensions
        assert all(isinstance(value, float) for value in vector)
        assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, abs_tol=1e-4)


def test_vectors_come_back_in_the_order_of_the_texts(embedder):
    texts = [text for triple in TRIPLES for text in triple]
    together = embedder.embed(texts)
    one_by_one = [embedder.embed([text])[0] for text in reversed(texts)][::-1]
    for batched, alone in zip(together, one_by_one, strict=True):
        assert cosine(batched, alone) == pytest.approx(1.0, abs=1e-4)


def test_the_same_text_gets_the_same_vector(embedder):
    first = embedder.embed(["Marcus wants to lead the design review."])
    second = embedder.embed(["Marcus wants to lead the design review."])
    assert cosine(first[0], second[0]) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("query", "related", "unrelated"), TRIPLES)
def test_a_related_text_is_closer_than_an_unrelated_one(embedder, query, related, unrelated):
    query_vector, related_vector, unrelated_vector = embedder.embed([query, related, unrelated])
    assert cosine(query_vector, related_vector) > cosine(query_vector, unrelated_vector) + 0.05


def test_more_texts_than_a_batch_keep_their_order(embedder):
    texts = [f"Session note number {n}: {TRIPLES[n % 3][1]}" for n in range(70)]
    vectors = embedder.embed(texts)
    assert len(vectors) == 70
    for index in (0, 33, 69):
        alone = embedder.embed([texts[index]])[0]
        assert cosine(vectors[index], alone) == pytest.approx(1.0, abs=1e-4)
