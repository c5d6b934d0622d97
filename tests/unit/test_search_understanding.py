"""Query understanding: the words of a question that become search filters.

The date table is the contract: "today" is Wednesday 13 May 2026 in New York (10:00 UTC is
06:00 there). Weeks start on Monday; named periods (this week, in Q2, in 2025) are whole
calendar periods; rolling windows ("last 7 days", "past month") end today; a month, quarter
or day named without a year is the latest one that has begun; numeric dates are day first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching.search.understanding import NameCandidate, Understanding, understand

ZONE = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 5, 13, 10, 0, tzinfo=dt.UTC)

MARCUS = NameCandidate(id=uuid.uuid4(), name="Marcus Lee")
JORDAN = NameCandidate(id=uuid.uuid4(), name="Jordan Reyes")
PRIYA = NameCandidate(id=uuid.uuid4(), name="Priya Shah")
WILL = NameCandidate(id=uuid.uuid4(), name="Will Baker")
SAM_LEE = NameCandidate(id=uuid.uuid4(), name="Sam Lee")
SAM_PARK = NameCandidate(id=uuid.uuid4(), name="Sam Park")
CLIENTS = [MARCUS, JORDAN, PRIYA, WILL, SAM_LEE, SAM_PARK]
COACH_ANA = NameCandidate(id=uuid.uuid4(), name="Ana Torres")
COACHES = [COACH_ANA]


def ask(query: str, *, now: dt.datetime = NOW, zone: ZoneInfo = ZONE) -> Understanding:
    return understand(query, now=now, zone=zone, clients=CLIENTS, coaches=COACHES)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# phrasing → (date_from, date_to); None: open on that side
DATE_TABLE: list[tuple[str, str | None, str | None]] = [
    ("notes from today", "2026-05-13", "2026-05-13"),
    ("yesterday", "2026-05-12", "2026-05-12"),
    ("yesterday's session", "2026-05-12", "2026-05-12"),
    ("this week", "2026-05-11", "2026-05-17"),
    ("last week", "2026-05-04", "2026-05-10"),
    ("this month", "2026-05-01", "2026-05-31"),
    ("last month", "2026-04-01", "2026-04-30"),
    ("this year", "2026-01-01", "2026-12-31"),
    ("last year", "2025-01-01", "2025-12-31"),
    ("this quarter", "2026-04-01", "2026-06-30"),
    ("last quarter", "2026-01-01", "2026-03-31"),
    ("last 7 days", "2026-05-07", "2026-05-13"),
    ("in the last 30 days", "2026-04-14", "2026-05-13"),
    ("over the past 2 weeks", "2026-04-30", "2026-05-13"),
    ("the last two weeks", "2026-04-30", "2026-05-13"),
    ("last 3 months", "2026-02-14", "2026-05-13"),
    ("past week", "2026-05-07", "2026-05-13"),
    ("past month", "2026-04-14", "2026-05-13"),
    ("the past year", "2025-05-14", "2026-05-13"),
    ("two weeks ago", "2026-04-27", "2026-05-03"),
    ("a week ago", "2026-05-04", "2026-05-10"),
    ("3 days ago", "2026-05-10", "2026-05-10"),
    ("a month ago", "2026-04-01", "2026-04-30"),
    ("two months ago", "2026-03-01", "2026-03-31"),
    ("a year ago", "2025-01-01", "2025-12-31"),
    ("since March", "2026-03-01", "2026-05-13"),
    ("since May", "2026-05-01", "2026-05-13"),
    ("since June", "2025-06-01", "2026-05-13"),
    ("since 2025-12-01", "2025-12-01", "2026-05-13"),
    ("since last week", "2026-05-04", "2026-05-13"),
    ("in March", "2026-03-01", "2026-03-31"),
    ("in December", "2025-12-01", "2025-12-31"),
    ("during may", "2026-05-01", "2026-05-31"),
    ("in March 2025", "2025-03-01", "2025-03-31"),
    ("in Q1", "2026-01-01", "2026-03-31"),
    ("in Q3", "2025-07-01", "2025-09-30"),
    ("Q3 2025", "2025-07-01", "2025-09-30"),
    ("in q4 of 2024", "2024-10-01", "2024-12-31"),
    ("in 2025", "2025-01-01", "2025-12-31"),
    ("during 2024", "2024-01-01", "2024-12-31"),
    ("before March", None, "2026-02-28"),
    ("before 2025-03-12", None, "2025-03-11"),
    ("until April", None, "2026-04-30"),
    ("after 12 March", "2026-03-13", None),
    ("after last month", "2026-05-01", None),
    ("between March and April", "2026-03-01", "2026-04-30"),
    ("between 1 March and 15 March", "2026-03-01", "2026-03-15"),
    ("from January to March", "2026-01-01", "2026-03-31"),
    ("from 2025-11-03 to 2025-11-09", "2025-11-03", "2025-11-09"),
    ("12 March", "2026-03-12", "2026-03-12"),
    ("on March 12", "2026-03-12", "2026-03-12"),
    ("March 12th", "2026-03-12", "2026-03-12"),
    ("the 12th of March 2025", "2025-03-12", "2025-03-12"),
    ("Mar 3, 2025", "2025-03-03", "2025-03-03"),
    ("2025-03-12", "2025-03-12", "2025-03-12"),
    ("12/03/2025", "2025-03-12", "2025-03-12"),
    ("on 20 May", "2025-05-20", "2025-05-20"),
    ("last Monday", "2026-05-11", "2026-05-11"),
    ("on Wednesday", "2026-05-06", "2026-05-06"),
    ("delegation", None, None),
    ("2025 goals", None, None),
    ("what may help", None, None),
    ("the last session", None, None),
]


@pytest.mark.parametrize(("query", "date_from", "date_to"), DATE_TABLE)
def test_date_phrasings_become_an_inclusive_range_in_the_callers_zone(
    query: str, date_from: str | None, date_to: str | None
) -> None:
    # When the phrase is understood
    understood = ask(query)
    # Then it is the range the table says
    assert (understood.date_from, understood.date_to) == (
        d(date_from) if date_from else None,
        d(date_to) if date_to else None,
    )


def test_the_date_table_has_forty_rows_at_least() -> None:
    assert len(DATE_TABLE) >= 40


def test_today_is_the_callers_day_not_utcs() -> None:
    # Given 02:00 UTC on 14 May: still 13 May in New York, already 14 May in Auckland
    late = dt.datetime(2026, 5, 14, 2, 0, tzinfo=dt.UTC)
    # Then "today" is each caller's own day
    assert ask("today", now=late).date_from == d("2026-05-13")
    assert ask("today", now=late, zone=ZoneInfo("Pacific/Auckland")).date_from == d("2026-05-14")


def test_a_date_once_understood_leaves_the_text_and_becomes_a_chip() -> None:
    # When a question names a period
    understood = ask("Who struggled with delegation last month?")
    # Then the text keeps the content words and the period is a chip with its own words
    assert understood.text == "struggled with delegation"
    (chip,) = understood.understood
    assert (chip.field, chip.value, chip.words) == ("dates", "2026-04-01..2026-04-30", "last month")
    assert "Apr" in chip.label


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what did Marcus say about his team", {MARCUS}),
        ("what did marcus say about his team", {MARCUS}),
        ("Jordon and his manager", {JORDAN}),
        ("Priya's wins", {PRIYA}),
        ("Marcus Lee", {MARCUS}),
        ("Sam's commitments", {SAM_LEE, SAM_PARK}),
        ("Sam Park's commitments", {SAM_PARK}),
        ("what did Lee say", {MARCUS, SAM_LEE}),
        ("Will's sessions", {WILL}),
    ],
)
def test_client_names_are_found_fuzzily(query: str, expected: set[NameCandidate]) -> None:
    assert ask(query).client_ids == {candidate.id for candidate in expected}


@pytest.mark.parametrize(
    "query",
    [
        "what will help with delegation",  # a lowercase function word is never a name
        "Will this help with delegation",  # nor a capitalized one that opens the question
        "market research",  # near "Marcus", but lowercase and not exact
        "Marketing plans",  # capitalized, but not near enough
        "prior concerns",  # "prior" is not "Priya"
        "same problem again",  # "same" is not "Sam"
        "marcos",  # a typo counts only when capitalized
    ],
)
def test_ordinary_words_are_not_names(query: str) -> None:
    assert ask(query).client_ids == frozenset()


def test_coaches_are_found_apart_from_clients() -> None:
    understood = ask("sessions coached by Ana about pricing")
    assert understood.coach_ids == {COACH_ANA.id}
    assert understood.client_ids == frozenset()
    assert understood.text == "pricing"


def test_a_name_leaves_the_text_and_becomes_a_chip() -> None:
    understood = ask("What did Priya say about her manager since March?")
    assert understood.client_ids == {PRIYA.id}
    assert understood.text == "her manager"
    fields = {(chip.field, chip.value, chip.label, chip.words) for chip in understood.understood}
    assert ("client_ids", str(PRIYA.id), "Priya Shah", "Priya") in fields


# --- kinds and session types --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("Marcus's wins", {"win"}),
        ("successes this quarter", {"win"}),
        ("challenges with delegation", {"challenge"}),
        ("what struggles came up", {"challenge"}),
        ("who struggled with delegation", set()),  # a verb: the topic, searched as text
        ("Marcus struggles with delegation", set()),
        ("action items from last week", {"action_item"}),
        ("Jordan's commitments", {"action_item"}),
        ("next steps for Priya", {"action_item"}),
        ("recommendations for Priya", {"recommendation"}),
        ("suggestions about hiring", {"recommendation"}),
        ("wins and challenges", {"win", "challenge"}),
        ("delegation", set()),
    ],
)
def test_item_kinds_are_understood(query: str, kinds: set[str]) -> None:
    assert ask(query).kinds == kinds


@pytest.mark.parametrize(
    ("query", "types"),
    [
        ("1:1 sessions about burnout", {"individual"}),
        ("one-on-ones with Marcus", {"individual"}),
        ("1-on-1s", {"individual"}),
        ("individual sessions", {"individual"}),
        ("group sessions about conflict", {"group"}),
        ("workshops on feedback", {"group"}),
        ("group coaching", {"group"}),
        ("the group dynamic", set()),  # "group" alone is a topic
    ],
)
def test_session_types_are_understood(query: str, types: set[str]) -> None:
    assert ask(query).session_types == types


# --- what is left for search --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Show me Marcus's wins in Q3", ""),
        ("summarize the details about Jordon's sessions", ""),
        ("find group sessions about conflict", "conflict"),
        ("what did Marcus say about delegation", "delegation"),
        ("action items from 1:1s with Marcus last week", ""),
        ("How does Priya handle feedback?", "handle feedback"),
        ("pricing objections", "pricing objections"),
        ("Summarize the discussion about FIR filters.", "FIR filters"),
        ("  ", ""),
    ],
)
def test_the_text_left_for_search_keeps_only_content_words(query: str, text: str) -> None:
    assert ask(query).text == text


def test_everything_understood_at_once() -> None:
    # When one question carries a name, a kind, a type and a period
    understood = ask("Show me Marcus's action items from group sessions in March")
    # Then each is a filter, and a chip in the order of the query
    assert understood.client_ids == {MARCUS.id}
    assert understood.kinds == {"action_item"}
    assert understood.session_types == {"group"}
    assert (understood.date_from, understood.date_to) == (d("2026-03-01"), d("2026-03-31"))
    assert [chip.field for chip in understood.understood] == [
        "client_ids",
        "kinds",
        "session_types",
        "dates",
    ]
    assert understood.text == ""


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        understand("today", now=dt.datetime(2026, 5, 13), zone=ZONE, clients=[], coaches=[])


VOCABULARY = (
    "in since before after until between and from to the last past this next ago a two 3 12 "
    "31 2025 q3 of march may june monday today yesterday week weeks month months year days "
    "12/03/2025 2025-02-30 Marcus Jordon Priya's Sam Park Lee will wins challenges struggles "
    "with action items 1:1s group sessions workshops show me what did say about delegation ?"
).split()


@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(VOCABULARY)).map(" ".join)))
def test_any_text_is_read_without_error_and_every_chip_quotes_the_question(query: str) -> None:
    understood = ask(query)
    for chip in understood.understood:
        assert chip.words.strip() in query or chip.words.lower().strip() in query.lower()
    if understood.date_from and understood.date_to:
        assert understood.date_from <= understood.date_to or len(understood.understood) > 1


@pytest.mark.parametrize(
    ("query", "text"),
    [
        # someone's view of a topic: the holder and the verb are the frame
        ("What did the board think about the hiring freeze?", "hiring freeze"),
        ("What did Dr Okafor think of remote onboarding?", "remote onboarding"),
        ("How did the finance lead feel about bonus cuts?", "bonus cuts"),
        ("What was the group's opinion on weekly check-ins?", "weekly check-ins"),
        ("What were the team's thoughts about the new CRM?", "new CRM"),
        ("According to the sales director, why did churn rise?", "churn rise"),
        ("Why did the designers disagree with the budget cap?", "budget cap"),
        ("What did Marcus say about delegation", "delegation"),
        ("What's the conclusion on pricing tiers?", "conclusion on pricing tiers"),
        # where the topic came up: the frame goes, both topics stay
        ("What did the CTO suggest when discussing the migration plan?", "migration plan"),
        ("Summarize the budget in the discussion of quarterly goals", "budget quarterly goals"),
        # a topic with no frame is left alone
        ("conflict between peers", "conflict between peers"),
        ("people who think about quitting", "quitting"),
    ],
)
def test_question_frames_leave_only_the_topic(query: str, text: str) -> None:
    assert ask(query).topic == text


def test_a_full_name_is_not_read_across_punctuation_or_a_phrase_already_understood() -> None:
    # "SA" and "PAR" sit either side of a date: no full name is read across it
    understood = ask("SA:IN 2000;PAR")
    assert [chip.field for chip in understood.understood] == ["dates"]
    # Written as a name, the same words are one
    chips = ask("Sam  Park in 2000").understood
    assert [chip.words for chip in chips if chip.field != "dates"] == ["Sam  Park"]
