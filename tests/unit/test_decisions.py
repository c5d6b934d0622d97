"""Decisions and the action items no single client owns, read from the transcript."""

from __future__ import annotations

import datetime as dt

from coaching.analysis.decisions import find_decisions, find_shared_action_items
from tests.unit.transcripts import transcript

MONDAY = dt.date(2026, 11, 30)


def test_what_the_group_agreed_is_a_decision_with_the_turns_it_rests_on():
    # Given a group that agrees, and a facilitator who recaps
    session = transcript(
        ("Maya", "Where do we land on the offsite?"),
        ("Jordan", "I think we've agreed to move the offsite to March."),
        ("Priya", "Sounds good to me."),
        ("Maya", "Let's move on to the next topic."),
        ("Maya", "Let's summarise: Jordan delegates the budget review, Priya asks about mornings."),
    )
    # When the decisions are read
    decisions = find_decisions(session, "Maya")
    # Then each says what was agreed, with its turn and the agreement after it
    assert [(d.text, d.evidence) for d in decisions] == [
        ("The group has agreed to move the offsite to March.", [1, 2]),
        ("Jordan delegates the budget review, Priya asks about mornings.", [4]),
    ]


def test_a_question_about_agreeing_is_no_decision():
    session = transcript(("Maya", "Have we agreed on the date yet?"), ("Jordan", "Not yet."))
    assert find_decisions(session, "Maya") == []


def test_requests_are_owned_by_the_person_or_group_they_name_or_who_accepts():
    session = transcript(
        ("Maya", "Justin, could you please open a PR for the new deadlines by Friday?"),
        ("Justin", "Yeah, I will."),
        ("Maya", "All client teams should review the proposal before the next call."),
        ("Maya", "Can you please double-check the numbers?"),
        ("Sam", "Sure, will do."),
        ("Maya", "I'll send everyone the summary after the call."),
        ("Maya", "Can you hear me?"),
    )
    items = find_shared_action_items(session, "Maya", MONDAY)
    assert [(i.owner, i.evidence) for i in items] == [
        ("Justin", [0]),
        ("All client teams", [2]),
        ("Sam", [3]),
        ("Maya", [5]),
    ]
    assert items[0].text == "Justin to open a PR for the new deadlines by Friday."
    assert (items[0].due, items[0].due_phrase) == ("2026-12-04", "by Friday")
    assert items[3].text == "Maya will send everyone the summary after the call."


def test_a_clients_own_commitment_is_left_to_their_summary():
    session = transcript(("Maya", "Jordan?"), ("Jordan", "I'll send Sam the template."))
    assert find_shared_action_items(session, "Maya") == []


def test_running_the_call_is_no_shared_action_item():
    # Given a facilitator opening the call and moving through the agenda (issue 16: real
    # calls, "we'll get right into it", "today we'll talk about...")
    session = transcript(
        ("Maya", "There's a lot on the agenda, so we'll just get right into it."),
        ("Maya", "Today we will talk about the devnet updates and the API changes."),
        ("Maya", "I'll put the link to the agenda in the notes."),
        ("Maya", "Josh, can you make me a co-host?"),
        ("Maya", "I'll send the devnet numbers in a few minutes."),
        ("Maya", "Let me grab a coffee and then we will review the proposal."),
        ("Maya", "All client teams should review the proposal before the next call."),
    )
    # Then only the work after the call is an item
    items = find_shared_action_items(session, "Maya", MONDAY)
    assert [(i.owner, i.evidence) for i in items] == [("All client teams", [6])]


def test_a_call_for_objections_settles_a_decision_though_it_is_a_question():
    session = transcript(
        ("Pari", "The endpoint change looks ready. Are there any objections to merging it?"),
        ("Sam", "None from us."),
    )
    [decision] = find_decisions(session, "Pari")
    assert decision.evidence == [0]
    assert "objections to merging it" in decision.text


def test_a_question_about_where_or_who_is_no_request():
    session = transcript(
        ("Maya", "Where should the finance people follow up on the budget?"),
        ("Maya", "Who should new volunteers reach out to?"),
        ("Maya", "Could you take a look at the budget, Sam?"),
        ("Sam", "Sure."),
    )
    assert [i.evidence for i in find_shared_action_items(session, "Maya")] == [[2]]


def test_keeping_the_call_going_is_no_action_item():
    session = transcript(
        ("Maya", "We'll give it one more minute for people to join."),
        ("Maya", "Let's run through the open items quickly."),
        ("Maya", "We will start with a round of updates from each team."),
        ("Maya", "We'll send the revised budget to the board."),
    )
    assert [i.evidence for i in find_shared_action_items(session, "Maya")] == [[3]]


def test_keeping_the_call_going_is_no_action_item_through_the_captions_pauses():
    # Given captions of a real call, with their commas, fillers and restarts (issue 16)
    session = transcript(
        ("Maya", "Let's give it, like, 2 to 3 minutes more for people to join."),
        ("Maya", "Then I'll give a quick, benchmarking update for the release."),
        ("Maya", "The group will… the group will start in a minute."),
        ("Maya", "I'm gonna… I'm gonna…"),
        ("Maya", "I'm not 100% sure we should add this or not."),
        ("Maya", "We'll send the revised budget to the board."),
    )
    # Then only the real commitment is an item
    assert [i.evidence for i in find_shared_action_items(session, "Maya")] == [[5]]
