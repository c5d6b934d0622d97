"""Issue 16: a free-form refinement keeps each action item's due date and the words it came
from unless the coach asks for another date; a new item's due date comes from its words."""

from __future__ import annotations

import datetime as dt

import pytest

from coaching.analysis.refined_dates import asks_about_dates, keep_due_dates
from coaching.domain.review import ReviewActionItem, ReviewItem, SummaryContent

pytestmark = pytest.mark.unit

SESSION = dt.date(2026, 11, 18)  # a Wednesday
FRIDAY = dt.date(2026, 11, 20)
BOOK = ReviewActionItem(
    text="Ann will book a meeting with her manager by Friday.",
    owner="Ann",
    due=FRIDAY,
    due_phrase="by Friday",
    evidence=[5],
)
BEFORE = SummaryContent(
    wins=[ReviewItem(text="Ann finished the draft.", evidence=[1])], action_items=[BOOK]
)


def _after(*items: ReviewActionItem) -> SummaryContent:
    return BEFORE.model_copy(update={"action_items": list(items)})


def _refined(request: str, *items: ReviewActionItem) -> list[tuple[dt.date | None, str | None]]:
    content = keep_due_dates(BEFORE, _after(*items), request, SESSION)
    return [(item.due, item.due_phrase) for item in content.action_items]


def test_a_reworded_item_keeps_its_due_date_and_phrase_the_model_dropped():
    # Given the model rewrote the item warmer, with the same evidence, and left out its date
    reworded = ReviewActionItem(text="Ann plans to set up a talk with her manager.", evidence=[5])
    # Then the item keeps the date and the words it came from
    assert _refined("Make it warmer.", reworded) == [(FRIDAY, "by Friday")]


def test_an_unchanged_item_keeps_its_date_even_if_the_model_changed_it_unasked():
    garbled = BOOK.model_copy(update={"due": dt.date(2026, 1, 1), "due_phrase": None})
    assert _refined("Shorter, please.", garbled) == [(FRIDAY, "by Friday")]


def test_a_date_the_coach_asks_for_replaces_the_date_and_its_words():
    moved = BOOK.model_copy(update={"due": dt.date(2026, 11, 27)})  # the model kept the phrase
    assert _refined("Push the meeting back a week.", moved) == [(dt.date(2026, 11, 27), None)]
    assert _refined("Make it due 27 November.", moved) == [(dt.date(2026, 11, 27), None)]


def test_a_date_left_out_stays_unless_the_coach_asks_for_none():
    dropped = BOOK.model_copy(update={"due": None, "due_phrase": None})
    assert _refined("Add a call by Monday.", dropped) == [(FRIDAY, "by Friday")]
    assert _refined("Remove the due date.", dropped) == [(None, None)]


def test_a_new_items_due_date_is_resolved_from_its_words_against_the_session_date():
    new = ReviewActionItem(
        text="Ann will ask her manager about a mentor by Monday.", due=None, evidence=[]
    )
    assert _refined("Add that she will ask about a mentor.", BOOK, new) == [
        (FRIDAY, "by Friday"),
        (dt.date(2026, 11, 23), "by Monday"),
    ]


def test_a_new_item_without_date_words_gets_no_invented_date():
    invented = ReviewActionItem(
        text="Ann will find a mentor.", due=dt.date(2026, 12, 1), evidence=[]
    )
    assert _refined("Add that she wants a mentor.", BOOK, invented)[1] == (None, None)
    # ...unless the coach asked for one
    assert _refined("Add a mentor search, due 1 December.", BOOK, invented)[1] == (
        dt.date(2026, 12, 1),
        None,
    )


def test_a_summary_without_action_items_is_returned_as_it_is():
    after = BEFORE.model_copy(update={"action_items": []})
    assert keep_due_dates(BEFORE, after, "drop the actions", SESSION) is after


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Make it warmer.", False),
        ("Shorter, please.", False),
        ("Move action 1 to next Tuesday.", True),
        ("Change the deadline of the first action.", True),
        ("Postpone the meeting.", True),
        ("by 3 December", True),
    ],
)
def test_which_requests_are_about_dates(request_text, expected):
    assert asks_about_dates(request_text, SESSION) is expected
