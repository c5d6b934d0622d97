"""The refinement conversation within its token budget (adapters/openai/conversation.py):
a pure rule, so properties over any history and any budget."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching.adapters.openai.conversation import MESSAGE_OVERHEAD_TOKENS, exchanges, fit
from coaching.adapters.openai.prompts import estimate_tokens
from coaching.domain.review import ReviewItem, RevisionRecord, SummaryContent

pytestmark = pytest.mark.unit

DRAFT = SummaryContent(wins=[ReviewItem(text="Ann finished the draft.", evidence=[1])])


def history(requests: list[str]) -> list[RevisionRecord]:
    steps = [(None, None, DRAFT)]
    for n, request in enumerate(requests, start=1):
        words = SummaryContent(wins=[ReviewItem(text=f"Ann finished draft {n}.", evidence=[1])])
        steps.append(("refine", request, words))
    return [
        RevisionRecord(
            revision=n,
            command=command,
            request=request,
            author_user_id=None,
            created_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
            content=content,
        )
        for n, (command, request, content) in enumerate(steps)
    ]


def tokens(messages: list[dict[str, str]]) -> int:
    return sum(estimate_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)


@given(
    requests=st.lists(st.text(min_size=1, max_size=300), max_size=60),
    budget=st.integers(min_value=0, max_value=4_000),
)
def test_the_conversation_fits_its_budget_newest_steps_first(requests, budget):
    steps = exchanges(history(requests))
    conversation = fit(steps, budget)
    # Within the budget, whatever the history
    assert tokens(conversation.messages()) <= budget
    # The steps in full are the newest ones, in order; every other one is condensed
    assert conversation.recent == steps[len(steps) - len(conversation.recent) :]
    assert conversation.condensed == len(steps) - len(conversation.recent)
    # And the older steps are condensed into a digest whenever one fits at all
    room = budget - sum(tokens(step.messages()) for step in conversation.recent)
    if conversation.condensed and room >= 40:
        assert conversation.digest is not None


def test_each_step_says_what_was_asked_and_what_changed():
    [step] = exchanges(history(["make the win sound proud"]))
    assert step.messages() == [
        {"role": "user", "content": "make the win sound proud"},
        {"role": "assistant", "content": "Revision 1: wins 1 changed: Ann finished draft 1."},
    ]


def test_a_hand_edit_and_an_approval_are_steps_without_a_request():
    records = history(["x"])
    records[1] = records[1].model_copy(update={"command": "edit", "request": None})
    records.append(records[1].model_copy(update={"revision": 2, "command": "approve"}))
    assert [(s.request, s.outcome) for s in exchanges(records)] == [
        (
            "(the coach edited the words by hand)",
            "Revision 1: wins 1 changed: Ann finished draft 1.",
        ),
        ("(the coach approved the summary)", "Revision 2: the words did not change."),
    ]
