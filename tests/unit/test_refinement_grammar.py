"""The offline refinement grammar (analysis/refinement.py): each documented request, what it
does to the words, that evidence survives, and that no request is ever a silent no-op."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.analysis.refinement import (
    OFFLINE_REQUESTS,
    SECTIONS,
    RefinementNotApplicable,
    RefinementNotUnderstood,
    diff,
    parse,
    refine,
)
from coaching.domain.review import ReviewActionItem, ReviewItem, SummaryContent

pytestmark = pytest.mark.unit

DRAFT = SummaryContent(
    wins=[
        ReviewItem(
            text="You spoke up in the meeting, which you had avoided for months.",
            evidence=[1, 2],
        ),
        ReviewItem(text="You kept to your plan", evidence=[4]),
    ],
    challenges=[ReviewItem(text="Sam's deadlines can't be moved", evidence=[5])],
    action_items=[ReviewActionItem(text="Maybe try to talk to Sam about the plan", evidence=[6])],
    coach_recommendations=[ReviewItem(text="You should rest more", evidence=[7])],
)


def _refine(message: str, content: SummaryContent = DRAFT) -> SummaryContent:
    return refine(content, message, DRAFT).content


@pytest.mark.parametrize(
    ("message", "section", "position", "text"),
    [
        ("shorter", "wins", 0, "You spoke up in the meeting."),
        ("Make it more concise.", "wins", 0, "You spoke up in the meeting."),
        ("more direct", "action_items", 0, "Talk to Sam about the plan"),
        ("more formal", "challenges", 0, "Sam's deadlines cannot be moved"),
        ("warmer", "coach_recommendations", 0, "You could rest more"),
        ("warmer", "wins", 1, "It was lovely to hear that you kept to your plan"),
        ("more encouraging", "wins", 1, "Well done: you kept to your plan"),
        ("reword win 2: You held the line", "wins", 1, "You held the line"),
        ("rewrite challenge 1 to Deadlines are fixed", "challenges", 0, "Deadlines are fixed"),
        ("rename Sam to Samuel", "challenges", 0, "Samuel's deadlines can't be moved"),
    ],
)
def test_each_rewording_request(message, section, position, text):
    refined = _refine(message)
    assert getattr(refined, section)[position].text == text
    # Evidence survives every rewording
    assert [i.evidence for s in SECTIONS for i in getattr(refined, s)] == [
        i.evidence for s in SECTIONS for i in getattr(DRAFT, s)
    ]


def test_longer_restores_the_drafts_wording_of_a_shortened_item():
    shortened = _refine("shorter")
    assert _refine("longer", shortened) == DRAFT
    with pytest.raises(RefinementNotApplicable, match="no item was cut"):
        _refine("longer")


def test_add_remove_and_move_items():
    added = _refine("add action: Book the room")
    assert added.action_items[-1] == ReviewActionItem(text="Book the room", evidence=[])
    assert _refine("remove win 1").wins == DRAFT.wins[1:]
    assert _refine("delete the recommendation 1").coach_recommendations == []
    moved = _refine("move win 1 to challenges")
    assert moved.wins == DRAFT.wins[1:]
    assert moved.challenges[-1] == ReviewItem(text=DRAFT.wins[0].text, evidence=[1, 2])
    back = _refine("move action 1 to wins")
    assert back.wins[-1] == ReviewItem(text=DRAFT.action_items[0].text, evidence=[6])


def test_owner_and_due_date_of_an_action_item():
    owned = _refine("set owner of action 1 to Priya")
    assert owned.action_items[0].owner == "Priya"
    assert _refine("assign action 1 to Jo").action_items[0].owner == "Jo"
    due = _refine("set due date of action 1 to 2026-12-31")
    assert due.action_items[0].due == dt.date(2026, 12, 31)
    assert _refine("set due of action 1 to none", due).action_items[0].due is None
    with pytest.raises(RefinementNotApplicable, match="not a date"):
        _refine("set due of action 1 to soon")


def test_a_due_date_the_coach_sets_drops_the_words_the_old_one_came_from():
    # Given an action item due "by Friday", as the analysis found it
    said = ReviewActionItem(
        text="Send the plan by Friday",
        evidence=[6],
        due=dt.date(2026, 12, 4),
        due_phrase="by Friday",
    )
    draft = DRAFT.model_copy(update={"action_items": [said]})
    # When the coach sets another date
    moved = _refine("set due of action 1 to 2026-12-11", draft).action_items[0]
    # Then the date is theirs and "by Friday" no longer claims to be where it came from
    assert (moved.due, moved.due_phrase) == (dt.date(2026, 12, 11), None)
    # And setting the owner leaves the words alone
    assert _refine("assign action 1 to Jo", draft).action_items[0].due_phrase == "by Friday"
    with pytest.raises(RefinementNotApplicable, match="Only action items"):
        _refine("set owner of win 1 to Jo")


@pytest.mark.parametrize(
    "message",
    ["remove win 3", "reword challenge 2: x", "move recommendation 9 to wins"],
)
def test_an_item_that_does_not_exist_is_named(message):
    with pytest.raises(RefinementNotApplicable, match="There is no"):
        _refine(message)


@pytest.mark.parametrize(
    "message", ["rename Nobody to Someone", "move win 1 to wins", "more direct"]
)
def test_a_request_that_would_change_nothing_says_so(message):
    plain = SummaryContent(wins=[ReviewItem(text="Fine", evidence=[1])])
    with pytest.raises(RefinementNotApplicable):
        refine(plain, message, plain)


@pytest.mark.parametrize(
    ("message", "command"),
    [("undo", "undo"), ("Undo that.", "undo"), ("redo", "redo"), ("show history", "history")],
)
def test_history_commands_are_the_use_cases(message, command):
    assert parse(message).history == command


def test_an_unknown_request_lists_what_works_offline():
    with pytest.raises(RefinementNotUnderstood) as raised:
        parse("make it sparkle")
    for example in OFFLINE_REQUESTS:
        assert example in raised.value.user_message()


def test_the_diff_names_changed_added_and_removed_items():
    after = _refine("add win: New")
    after = refine(after, "remove challenge 1", DRAFT).content
    after = refine(after, "reword win 1: Spoke up", DRAFT).content
    changes = [(c["section"], c["change"], c["position"]) for c in diff(DRAFT, after)]
    assert changes == [
        ("wins", "changed", 1),
        ("wins", "added", 3),
        ("challenges", "removed", 1),
    ]
    assert diff(DRAFT, after)[1]["note"] == "rests on no transcript turn"
    assert diff(DRAFT, DRAFT) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_understood_or_answered_never_ignored(message):
    # Whatever the coach types: a change, or an error that says why - never the same words
    try:
        refined = refine(DRAFT, message, DRAFT)
    except (RefinementNotUnderstood, RefinementNotApplicable):
        return
    assert refined.content != DRAFT and refined.reply


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["win", "challenge", "action", "recommendation"]),
    st.sampled_from(["wins", "challenges", "actions", "recommendations"]),
)
def test_moving_keeps_every_turn_cited(source, target):
    try:
        moved = _refine(f"move {source} 1 to {target}")
    except RefinementNotApplicable:
        return  # the same section
    cited = sorted(e for s in SECTIONS for i in getattr(moved, s) for e in i.evidence)
    assert cited == sorted(e for s in SECTIONS for i in getattr(DRAFT, s) for e in i.evidence)
