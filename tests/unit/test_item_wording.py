"""Items written for their reader: third person for the coach, second person for the client."""

from __future__ import annotations

import datetime as dt

import pytest

from coaching.analysis.item_wording import for_client, for_coach, strip_fillers

MONDAY = dt.date(2026, 11, 30)


def test_a_commitment_is_a_sentence_about_its_owner_with_the_due_date_said():
    # Given the client's quote and the date its "by Friday" resolved to
    quote = "I will hand over the budget review next, and I'll send Sam the template by Friday."
    # When it is written for the coach, then for the client
    coach = for_coach(
        quote,
        "Jordan Reyes",
        due_phrase="by Friday",
        due=dt.date(2026, 12, 4),
        session_date=MONDAY,
    )
    client = for_client(coach, "Jordan Reyes", dt.date(2026, 12, 4))
    # Then the coach reads the third person, the client the second
    assert coach == (
        "Jordan will hand over the budget review next, and will send Sam the template by "
        "Friday (4 Dec)."
    )
    assert client == (
        "You'll hand over the budget review next, and will send Sam the template by "
        "Friday, 4 December."
    )


def test_a_coachs_edit_of_the_sentence_still_renders_in_the_second_person():
    edited = "Jordan will send Sam the new template by Friday (4 Dec) and has asked for help."
    assert for_client(edited, "Jordan Reyes", dt.date(2026, 12, 4)) == (
        "You'll send Sam the new template by Friday, 4 December and have asked for help."
    )


def test_a_pronoun_pointing_outside_the_sentence_is_resolved_from_the_turns_before():
    # Given "her" said after the client named their manager
    context = [("If my manager backed it.", True)]
    quote = "I'm going to ask her on Monday whether we can agree on meeting-free mornings."
    # When written for the coach
    text = for_coach(quote, "Priya Nair", context=context)
    # Then "her" is the manager, and the client's email says "your manager"
    assert (
        text
        == "Priya will ask their manager on Monday whether they can agree on meeting-free mornings."
    )
    # and the client's "we" is theirs, not the coach's
    assert for_client(text, "Priya Nair") == (
        "You'll ask your manager on Monday whether you can agree on meeting-free mornings."
    )


def test_them_is_resolved_to_the_plural_named_before():
    context = [("We still need the agendas for the offsite.", False)]
    text = for_coach("I'll draft them this weekend.", "Sam Lee", context=context)
    assert text == "Sam will draft the agendas this weekend."


def test_an_unresolvable_pronoun_stays_as_said():
    assert for_coach("I'll call her tomorrow.", "Ann") == "Ann will call her tomorrow."


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("Still stuck, to be honest.", "Priya is still stuck."),
        ("Honestly, you know what, I think maybe I'll skip it.", "Priya will skip it."),
        (
            "So, to be honest, I keep saying yes to every invite.",
            "Priya keeps saying yes to every invite.",
        ),
        ("I feel kind of overwhelmed most afternoons.", "Priya feels overwhelmed most afternoons."),
        ("I've been able to sleep better, you know.", "Priya has been able to sleep better."),
        ("I don't know how to start.", "Priya doesn't know how to start."),
        ("I finally finished my thesis.", "Priya finally finished their thesis."),
        ("I try to fix it myself.", "Priya tries to fix it themselves."),
    ],
)
def test_hedges_and_fillers_go_and_the_verb_agrees(quote, expected):
    assert for_coach(quote, "Priya Nair") == expected


@pytest.mark.parametrize(
    ("advice", "expected"),
    [
        (
            "You could try blocking two mornings a week as focus time.",
            "Priya could try blocking two mornings a week as focus time.",
        ),
        (
            "Priya, try writing down your priorities.",
            "Priya could try writing down their priorities.",
        ),
        ("I'd suggest you talk to your manager first.", "Priya could talk to their manager first."),
    ],
)
def test_advice_is_addressed_to_the_client_by_name(advice, expected):
    text = for_coach(advice, "Priya Nair", speaker_is_owner=False)
    assert text == expected
    assert for_client(text, "Priya Nair").startswith("You could")


def test_the_second_person_agrees_with_its_verbs():
    assert for_client("Priya keeps saying yes and is struggling.", "Priya Nair") == (
        "You keep saying yes and are struggling."
    )
    assert for_client("Priya is still stuck.", "Priya Nair") == "You're still stuck."
    assert for_client("Jordan is proud; they were afraid.", "Jordan") == (
        "You're proud; you were afraid."
    )


def test_text_about_someone_else_is_left_alone():
    assert for_client("The team will review their plan.", "Priya Nair") == (
        "The team will review their plan."
    )


def test_fillers_alone_leave_nothing_to_strip_into():
    assert strip_fillers("Okay, so, well") == ""
    assert for_coach("Okay.", "Ann") == "Okay."


def test_a_time_word_after_i_is_not_a_verb_and_the_due_note_lands_after_the_whole_word():
    # Found by the property test on a CI run: "I tomorrow I'll" once read "tomorrow" as the
    # verb ("Ann tomorrows") and then put the due note inside it ("tomorrow (1 Dec)s").
    coach = for_coach(
        "I tomorrow I'll",
        "Ann",
        due_phrase="tomorrow",
        due=dt.date(2026, 12, 1),
        session_date=MONDAY,
    )
    assert "tomorrows" not in coach and "(1 Dec)s" not in coach
    assert "tomorrow (1 Dec)" in coach
    assert for_coach("I then send the report.", "Ann") == "Ann then sends the report."
