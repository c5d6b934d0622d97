"""Commitment follow-through and the engagement trend, on sentences written for these tests."""

from __future__ import annotations

import pytest

from coaching.analysis.commitments import (
    Spoken,
    content_words,
    engagement_trend,
    judge_commitment,
    missed_commitments,
)
from coaching.analysis.offline import missed_label
from coaching.domain.transcript import Turn


def said(*lines: str, by_client: bool = True, first_index: int = 0) -> list[Spoken]:
    """The next session's turns, ten seconds apart."""
    return [
        Spoken(Turn(index=first_index + i, speaker="x", start=10.0 * i, text=text), by_client)
        for i, text in enumerate(lines)
    ]


PROPOSAL = "I will send the budget proposal to my director by Friday."


def test_no_later_session_is_pending():
    assert judge_commitment(PROPOSAL, None).kept == "pending"


@pytest.mark.parametrize(
    ("commitment", "report"),
    [
        (PROPOSAL, "I sent the budget proposal to my director on Thursday."),
        (PROPOSAL, "Good news: I\u2019ve finally sent the proposal and the budget with it."),
        ("I'm going to book a physiotherapy appointment.", "I booked the physiotherapy one."),
        (
            "I'll write a one-page pitch for the board.",
            "I wrote the pitch over the weekend and the board liked it.",
        ),
        ("I will call the landlord about the lease.", "I called the landlord on Monday."),
        ("My next step is to update my CV.", "The CV is updated, I finished it on Sunday."),
    ],
)
def test_a_reported_deed_about_the_commitment_keeps_it(commitment, report):
    judgement = judge_commitment(commitment, said("Hello again.", report))
    assert judgement.kept == "kept"
    # The evidence is the turn that reported it, with its time
    assert (judgement.evidence_turn, judgement.evidence_time) == (1, 10.0)


@pytest.mark.parametrize(
    "report",
    [
        "I didn't get to the budget proposal for my director.",
        "I haven't sent the budget proposal yet.",
        "Honestly I never got round to the budget proposal.",
        "The budget proposal is not yet with my director.",
        "I ran out of time for the budget proposal.",
        "I wanted to send the budget proposal but I kept putting it off.",
    ],
)
def test_a_reported_non_completion_does_not_keep_it(report):
    judgement = judge_commitment(PROPOSAL, said(report))
    assert judgement.kept == "not_kept"
    assert judgement.evidence_turn == 0


def test_negation_beats_the_past_tense_in_the_same_clause():
    # "sent" is a past tense, but the clause says it did not happen
    assert judge_commitment(PROPOSAL, said("I have not sent the proposal budget.")).kept == (
        "not_kept"
    )


def test_a_later_clause_or_a_later_correction_decides():
    assert (
        judge_commitment(
            PROPOSAL, said("I didn't on Monday, but I sent the budget proposal on Tuesday.")
        ).kept
        == "kept"
    )
    # The same overlap twice: the later sentence corrects the earlier one
    judgement = judge_commitment(
        PROPOSAL,
        said(
            "I haven't sent the budget proposal, I think.",
            "Oh wait, actually I sent the budget proposal yesterday.",
        ),
    )
    assert (judgement.kept, judgement.evidence_turn) == ("kept", 1)


@pytest.mark.parametrize(
    "lines",
    [
        # Talk about other things
        ("The weather was awful and work was busy.", "I sent my mother flowers."),
        # About the commitment, but no report either way
        ("The budget proposal is still on my mind.",),
        # Planned again, not done
        ("I will send the budget proposal next week.",),
        # A question reports nothing
        ("Did you send the budget proposal to your director?",),
        # Only one shared word: not enough to be about it
        ("I finished the proposal for the conference.",),
    ],
)
def test_nothing_that_settles_it_is_unclear(lines):
    judgement = judge_commitment(PROPOSAL, said(*lines))
    assert judgement.kept == "unclear"
    assert judgement.evidence_turn is None


def test_a_client_who_says_nothing_next_time_is_unclear_not_pending():
    assert judge_commitment(PROPOSAL, []).kept == "unclear"


def test_the_coach_can_report_it_for_the_client():
    judgement = judge_commitment(
        "I'm going to book a physiotherapy appointment.",
        said("You booked the physiotherapy appointment, well done.", by_client=False),
    )
    assert (judgement.kept, judgement.by_client) == ("kept", False)


def test_content_words_drop_commitment_and_date_words_and_match_past_forms():
    assert content_words(PROPOSAL) == content_words("sent proposals, budgets, directors")
    assert content_words("I will try next Friday") == frozenset()


@pytest.mark.parametrize(
    ("levels", "direction"),
    [
        (["low", "medium", "high"], "rising"),
        (["high", "high", "medium", "low"], "falling"),
        (["medium", "medium", "high", "medium"], "steady"),
        (["silent", "silent"], "steady"),
        (["high"], "steady"),
        ([], "steady"),
    ],
)
def test_engagement_trend_direction(levels, direction):
    trend = engagement_trend(levels)
    assert trend.direction == direction
    assert len(trend.values) == len(levels)


def test_engagement_trend_slope_is_levels_per_session():
    assert engagement_trend(["low", "medium", "high"]).slope == pytest.approx(1.0)
    assert engagement_trend(["medium", "medium", "high", "medium"]).slope == pytest.approx(0.1)
    assert engagement_trend(["high"]).slope is None


def _turn(index: int, speaker: str, text: str) -> Turn:
    return Turn(index=index, speaker=speaker, start=10.0 * index, text=text)


def test_only_a_commitment_said_not_done_is_missed_and_only_their_own_words_or_the_coachs_count():
    commitments = [PROPOSAL, "I will book a mentoring session with Olu.", "I will walk daily."]
    turns = [
        _turn(0, "Ann Lee", "I didn't get to book the mentoring session with Olu."),
        _turn(1, "Sam Ortiz", "I never walked daily, nor sent the budget proposal to my director."),
        _turn(2, "Elena Park", "Ann, you sent the budget proposal to your director, well done."),
    ]
    # Sam's words are not Ann's: only the mentoring is missed; the walk is never mentioned
    missed = missed_commitments(commitments, turns, "Ann Lee", "Elena Park", sole_client=False)
    assert missed == ["I will book a mentoring session with Olu."]
    # The label says how many of how many
    assert missed_label(1, 1) == "said they did not do what they committed to last time"
    assert missed_label(2, 3) == (
        "said they did not do 2 of the 3 things they committed to last time"
    )
