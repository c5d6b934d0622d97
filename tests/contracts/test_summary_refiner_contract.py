"""The SummaryRefiner port's contract, on the fake (tests/fakes/refiner.py) and on the
OpenAI adapter (its HTTP recorded: tests/fixtures/openai/refine_invented_evidence.json, a
reply that also tries to cite turns the words do not).

Whatever the refiner: the answer is words a coach could have written (SummaryContent), an
item it kept keeps its evidence, a new item rests on no turn, and no item cites a turn the
words did not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import respx

from coaching.adapters.openai import CircuitBreaker, OpenAISummaryRefiner
from coaching.domain.review import (
    ReviewActionItem,
    ReviewItem,
    RevisionRecord,
    SummaryContent,
)
from coaching.domain.transcript import Turn
from coaching.ports.review import SummaryRefiner
from tests.fakes.refiner import AddingRefiner

BASE_URL = "https://llm.test/v1"
RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "openai"
ASK = "Add that she would like to ask her manager for a mentor."
WORDS = SummaryContent(
    wins=[ReviewItem(text="Ann finished the budget draft on Tuesday.", evidence=[1])],
    challenges=[
        ReviewItem(
            text="Ann keeps putting off a hard conversation with her manager.", evidence=[1, 3]
        )
    ],
    action_items=[
        ReviewActionItem(
            text="Ann will book a meeting with her manager and bring a proposal.",
            owner="Ann",
            due=dt.date(2026, 11, 20),
            evidence=[5],
        )
    ],
    coach_recommendations=[
        ReviewItem(
            text="Frame the conversation with the manager as a proposal rather than a complaint.",
            evidence=[4],
        )
    ],
)
HISTORY = [
    RevisionRecord(
        revision=0,
        command=None,
        request=None,
        author_user_id=None,
        created_at=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC),
        content=WORDS,
    )
]
EVIDENCE = [
    Turn(index=i, speaker="Ann" if i != 4 else "Coach", start=i * 12.0, end=i * 12.0 + 9, text=t)
    for i, t in [
        (1, "I finished the budget draft. But I keep putting off my manager."),
        (3, "I'm worried she will see it as complaining."),
        (4, "You could frame it as a proposal rather than a complaint."),
        (5, "I will book a meeting with her by Friday and bring the proposal."),
    ]
]


@pytest.fixture(params=["fake", "openai"])
def refiner(request) -> Iterator[SummaryRefiner]:
    if request.param == "fake":
        yield AddingRefiner()
        return
    exchange = json.loads((RECORDED / "refine_invented_evidence.json").read_text("utf-8"))
    with respx.mock() as router:  # any other request fails: never a live call
        router.post(f"{BASE_URL}/chat/completions").mock(
            return_value=httpx.Response(exchange["status_code"], json=exchange["body"])
        )
        yield OpenAISummaryRefiner(
            openai.OpenAI(api_key="sk-test", base_url=BASE_URL),
            breaker=CircuitBreaker(clock=lambda: 0.0),
            sleep=lambda seconds: None,
        )


def _evidence_by_text(content: SummaryContent) -> dict[str, list[int]]:
    return {item.text: item.evidence for _, items in content for item in items}


def test_the_answer_is_words_a_coach_could_have_written(refiner):
    answer = refiner.refine(WORDS, ASK, HISTORY, EVIDENCE)
    assert answer is not None
    assert SummaryContent.model_validate(answer.content.model_dump()) == answer.content
    assert answer.reply.strip()


def test_kept_items_keep_their_evidence_and_new_ones_rest_on_none(refiner):
    answer = refiner.refine(WORDS, ASK, HISTORY, EVIDENCE)
    assert answer is not None
    before = _evidence_by_text(WORDS)
    after = _evidence_by_text(answer.content)
    new = [text for text in after if text not in before]
    assert new  # the request added one
    kept = [text for text in after if text in before]
    assert kept
    assert all(after[text] == before[text] for text in kept)
    assert any(after[text] == [] for text in new)  # the added one (a reworded one keeps its)


def test_no_item_cites_a_turn_the_words_did_not(refiner):
    answer = refiner.refine(WORDS, ASK, HISTORY, EVIDENCE)
    assert answer is not None
    cited = {index for evidence in _evidence_by_text(answer.content).values() for index in evidence}
    assert cited <= {1, 3, 4, 5}
