"""Commitment words that commit to nothing, and spoken sentences read as written."""

from __future__ import annotations

import pytest

from coaching.analysis.disfluency import fluent
from coaching.analysis.hollow_commitments import is_hollow


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm gonna… I'm gonna…",  # trailing off
        "Which, I will also…",  # a relative clause, and nothing after it
        "I believe the changes that I'm gonna introduce will be sufficient, but…",
        "Yeah, I'm not so… or not 100% sure we should add this or not.",
        "I don't know if we'll get there.",
        "So I'll just, you know…",
    ],
)
def test_commitment_words_without_a_commitment_are_hollow(sentence):
    assert is_hollow(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I will send the budget to finance on Monday.",
        "I'll do it.",
        "I'd like to add that I will personally answer all the comments.",  # "that" is said
        "I think that I'll send it tomorrow.",
        # the doubt is about someone else; the speaker's own offer stands
        "I don't know if you can do it, or I can just make a PR.",
        "Yeah, so I will update the numbers, and maybe I'm not sure if Sam can update it.",
        "I'm gonna… I'm gonna send the draft tonight.",  # a restart, then the commitment
        "Maybe that's one thing that we should optimize.",
        "The budget looks fine.",  # no commitment words: not for this rule to judge
    ],
)
def test_a_commitment_with_work_of_its_own_is_not_hollow(sentence):
    assert not is_hollow(sentence)


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        (
            "Let's give it, like, 2 to 3 minutes more, and then we'll start.",
            "Let's give it 2 to 3 minutes more and then we'll start.",
        ),
        (
            "Then I'll give a quick, benchmarking update.",
            "Then I'll give a quick benchmarking update.",
        ),
        ("the group will… the group will discuss that", "the group will discuss that"),
        ("I… I… I will send it", "I will send it"),
        ("I will send it.", "I will send it."),
    ],
)
def test_a_spoken_sentence_reads_without_pauses_fillers_and_restarts(spoken, written):
    assert fluent(spoken) == written
