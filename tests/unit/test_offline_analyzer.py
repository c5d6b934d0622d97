from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.analysis.offline import OfflineAnalyzer, engagement_level, priority_score
from coaching.analysis.speaking import speaking_stats
from coaching.domain.results import ActionItem, ClientSummary, Item
from coaching.parsing import parse_transcript
from tests.unit.transcripts import transcript

FRIDAY = dt.date(2026, 11, 20)


def analyze(session, client, coach="Coach", date=FRIDAY):
    return OfflineAnalyzer().analyze_client(
        session, client, coach, speaking_stats(session, coach), date
    )


def test_items_are_written_about_the_client_and_point_at_their_turns():
    # Given a client who reports a win, a struggle and a commitment
    session = transcript(
        ("Coach", "How did it go?"),
        ("Ann", "I managed to finish the draft. But I'm struggling with the budget."),
        ("Coach", "You could try splitting it into two parts."),
        ("Ann", "I will send the budget by Friday."),
    )
    # When the client is analysed
    summary = analyze(session, "Ann").summary
    # Then each item is a sentence about the client (issue 16: no longer the raw quote),
    # with the turn the quote came from as evidence
    assert [(i.text, i.evidence) for i in summary.wins] == [
        ("Ann managed to finish the draft.", [1])
    ]
    assert [(i.text, i.evidence) for i in summary.challenges] == [
        ("But Ann is struggling with the budget.", [1])
    ]
    action = summary.action_items[0]
    assert (action.text, action.evidence, action.owner) == (
        "Ann will send the budget by Friday (27 Nov).",
        [3],
        "Ann",
    )
    assert action.due == "2026-11-27"  # the Friday after the session's Friday
    assert [(i.text, i.evidence) for i in summary.coach_recommendations] == [
        ("Ann could try splitting it into two parts.", [2])
    ]


def test_talk_about_the_call_is_never_a_commitment():
    # Given a client steering the call and introducing themselves (issue 16: real calls)
    session = transcript(
        ("Coach", "Over to you."),
        ("Ann", "Okay, then I will move on to my other topic."),
        ("Ann", "Hi all, my name is Ann and I'll be quick."),
        ("Ann", "I'll hand it over to Ben."),
        ("Ann", "I will send the budget to finance on Monday."),
    )
    # Then only the commitment about the client's work is an action item
    items = analyze(session, "Ann").summary.action_items
    assert [item.evidence for item in items] == [[4]]


def test_running_the_call_is_never_a_commitment():
    # Given a client presenting in the call (issue 16: real calls)
    session = transcript(
        ("Coach", "Over to you."),
        ("Ann", "I'll share more of my screen."),
        ("Ann", "I'll show the numbers in a second."),
        ("Ann", "Then I'll talk about the budget."),
        ("Ann", "I will send the budget to finance on Monday."),
        ("Ann", "I'll talk about the budget with my manager and screen the applicants."),
    )
    # Then only the commitments about the client's work are action items
    items = analyze(session, "Ann").summary.action_items
    assert [item.evidence for item in items] == [[4], [5]]


def test_being_ill_is_no_commitment():
    # "ill" is not "I'll" (issue 16: a real call, "a team member was ill last week")
    session = transcript(
        ("Coach", "Any updates?"),
        ("Ann", "Another team member was ill last week, and also."),
        ("Ann", "I'll send the budget to finance on Monday."),
    )
    items = analyze(session, "Ann").summary.action_items
    assert [item.evidence for item in items] == [[2]]


def test_a_commitment_that_trails_off_or_is_in_a_relative_clause_is_no_action_item():
    session = transcript(
        ("Coach", "Where are you with it?"),
        ("Ann", "I think… So… I'm gonna… I'm gonna…"),
        ("Ann", "I believe the changes that I'm gonna introduce will be enough."),
        ("Ann", "I'll just speedrun these updates."),
        ("Ann", "I'll give, like, a quick, update on it."),
        ("Ann", "I'll share with you a demo of what we built."),
        ("Ann", "I'll send Ben the template by Friday."),
    )
    items = analyze(session, "Ann").summary.action_items
    assert [item.evidence for item in items] == [[6]]


def test_apologies_time_keeping_and_questions_are_never_recommendations():
    session = transcript(
        ("Ann", "I keep procrastinating."),
        ("Coach", "Sorry, I'm just trying to be mindful with time."),
        ("Ann", "Sure."),
        ("Coach", "What if you tried a timer? How about mornings?"),
        ("Ann", "Maybe."),
        ("Coach", "You could try a timer for twenty minutes."),
    )
    recommendations = analyze(session, "Ann").summary.coach_recommendations
    assert [item.evidence for item in recommendations] == [[5]]


def test_a_recurring_struggle_in_a_one_to_one_is_a_challenge():
    session = transcript(
        ("Coach", "How was the week?"),
        ("Ann", "I keep saying yes to every request that comes in."),
        ("Ann", "Every time I plan a quiet morning, something lands on my desk."),
    )
    challenges = analyze(session, "Ann").summary.challenges
    assert [item.evidence for item in challenges] == [[1], [2]]
    assert challenges[0].text == "Ann keeps saying yes to every request that comes in."


def test_questions_are_never_items():
    session = transcript(("Coach", "Hi"), ("Ann", "Will I ever manage to finish this?"))
    summary = analyze(session, "Ann").summary
    assert summary == ClientSummary()


def test_advice_to_another_client_is_not_a_recommendation_for_this_one():
    session = transcript(
        ("Ann", "I keep procrastinating."),
        ("Coach", "Ben, you could try a timer."),
        ("Ben", "ok"),
    )
    assert analyze(session, "Ann").summary.coach_recommendations == []
    assert len(analyze(session, "Ben").summary.coach_recommendations) == 1


def test_a_realisation_is_a_breakthrough_and_a_win():
    session = transcript(("Coach", "So?"), ("Ann", "I realise I was afraid of losing control."))
    analysis = analyze(session, "Ann")
    assert analysis.breakthrough_detected is True
    assert analysis.summary.wins[0].evidence == [1]
    assert analysis.summary.challenges == []  # one category per sentence


def test_due_dates_without_a_session_date_stay_unknown():
    session = transcript(("Coach", "So?"), ("Ann", "I will call her tomorrow."))
    action = analyze(session, "Ann", date=None).summary.action_items[0]
    # the words are kept: a date given later can resolve them
    assert (action.due, action.due_phrase) == (None, "tomorrow")


def test_an_action_item_keeps_the_words_its_due_date_came_from():
    session = transcript(
        ("Coach", "So?"),
        ("Ann", "I will review the contract before the fifteenth."),
        ("Ann", "I'll try the new routine before we meet again."),
        ("Ann", "I'll send Sam the template."),
    )
    actions = analyze(session, "Ann").summary.action_items
    assert [(a.due, a.due_phrase) for a in actions] == [
        ("2026-12-14", "before the fifteenth"),  # the day before the next 15th
        (None, "before we meet again"),  # needs the cadence: the phrase stays, the date null
        (None, None),
    ]


def test_engagement_is_relative_to_an_equal_share_of_the_group():
    session = transcript(
        ("Coach", "word " * 30),
        ("Ann", "word " * 30),
        ("Ben", "word " * 30),
        ("Cleo", "hm"),
        timed=False,
    )
    stats = speaking_stats(session, "Coach")
    assert engagement_level("Ann", stats) == "high"
    assert engagement_level("Cleo", stats) == "low"
    assert engagement_level("Nobody", stats) == "silent"


def test_priority_follows_the_documented_formula():
    item = Item(text="x", evidence=[0])
    committed = ClientSummary(wins=[item], action_items=[ActionItem(text="y", evidence=[1])])
    stuck = ClientSummary(challenges=[item])
    assert priority_score("high", committed, breakthrough=False) == 0.0
    # 0.25 * low gap 0.7 + challenges without commitment + no commitment + no win
    assert priority_score("low", stuck, breakthrough=False) == round(0.175 + 0.20 + 0.15 + 0.10, 2)
    assert priority_score("silent", ClientSummary(), breakthrough=False) == 0.50
    # falling sentiment and a sensitive topic add their shares
    assert priority_score("high", committed, False, falling_sentiment=True) == 0.15
    assert priority_score("high", committed, False, sensitive=True) == 0.10
    # saying one is stuck weighs most
    distressed = ClientSummary(challenges=[Item(text="I feel overwhelmed.", evidence=[0])])
    assert priority_score("high", distressed, breakthrough=False) == round(
        0.40 + 0.20 + 0.15 + 0.10, 2
    )


def test_a_client_stuck_and_overwhelmed_ranks_above_one_who_only_listened():
    # Given the bundled sample: Priya says she is stuck and overwhelmed (and commits to ask
    # her manager); Alex says only "Not much this week, just listening."
    sample = Path(__file__).parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
    session = parse_transcript(sample.read_bytes(), sample.name)
    stats = speaking_stats(session, "Maya Chen")
    # When each is analysed
    priya = OfflineAnalyzer().analyze_client(session, "Priya Nair", "Maya Chen", stats)
    alex = OfflineAnalyzer().analyze_client(session, "Alex Okafor", "Maya Chen", stats)
    # Then Priya comes first, and each priority says why, weightiest reason first
    assert priya.priority_score > alex.priority_score
    assert [r.code for r in priya.priority_reasons][0] == "stuck"
    assert [r.code for r in alex.priority_reasons] == ["quiet", "no_action", "no_win"]
    assert all(r.label for r in priya.priority_reasons + alex.priority_reasons)


def test_a_falling_mood_is_told_from_a_steady_one():
    from coaching.analysis.sentiment import is_falling

    falling = transcript(
        ("Ann", "Great week, I'm really happy with it."),
        ("Ann", "Things are fine."),
        ("Ann", "Honestly I feel terrible and hopeless about the project now."),
    )
    steady = transcript(("Ann", "Good."), ("Ann", "Good, thanks."), ("Ann", "Still good."))
    assert is_falling(falling.turns) is True
    assert is_falling(steady.turns) is False
    assert is_falling(falling.turns[:2]) is False  # too few turns for a trend


words = st.sampled_from(
    [
        "I",
        "will",
        "managed",
        "struggle",
        "stuck",
        "try",
        "you",
        "could",
        "realise",
        "the",
        "budget",
        "Friday",
        "tomorrow",
        "proud",
        "?",
        ".",
        "I'll",
        "hard",
        "to",
    ]
)
sentences = st.lists(words, min_size=1, max_size=12).map(" ".join)
rows = st.lists(st.tuples(st.sampled_from(["Coach", "Ann", "Ben"]), sentences), max_size=15)


@settings(max_examples=200)
@given(rows)
def test_every_item_rests_on_a_turn_of_its_speaker_and_keeps_its_words(lines):
    # Items are rewritten for the coach (issue 16), so the property is about the quote's
    # words: every word of the item, but for the owner and the words that replace "I", was
    # said in the turn it cites.
    rewritten = {"ann", "ben", "is", "has", "will", "could", "would", "does", "doesn't", "were"}
    rewritten |= {"they", "their", "them", "theirs", "themselves", "they're", "they've"}
    rewritten |= {"they'll", "they'd", "are"}
    session = transcript(("Ann", "hello"), *lines)
    for client in ("Ann", "Ben"):
        summary = analyze(session, client).summary
        for kind, items in summary:
            for item in items:
                turn = session.turns[item.evidence[0]]
                expected_speaker = "Coach" if kind == "coach_recommendations" else client
                assert turn.speaker == expected_speaker
                said = {w.casefold() for w in re.findall(r"[A-Za-z']+", turn.text)}
                for word in re.findall(r"[A-Za-z']+", item.text.rstrip("…")):
                    lower = word.casefold()
                    assert (
                        lower in rewritten
                        or lower in said
                        or lower.rstrip("s") in said
                        or lower.removesuffix("es") in said
                        or lower.removesuffix("ies") + "y" in said
                        or re.fullmatch(r"\d+|[A-Z][a-z]{2}", word)  # "(27 Nov)"
                    ), (word, item.text, turn.text)


def test_typographic_apostrophes_find_the_same_items_as_straight_ones():
    # Given the bundled sample as Word or Google Docs would write it ("I’m going to")
    sample = Path(__file__).resolve().parents[2] / "local_runtime/samples/team-leads-workshop.vtt"
    straight = sample.read_text(encoding="utf-8")
    curly = straight.replace("'", "\u2019")

    def items(text: str) -> dict[str, list[str]]:
        parsed = parse_transcript(text.encode(), "workshop.vtt")
        speakers = speaking_stats(parsed, "Maya Chen", {})
        analyzer = OfflineAnalyzer()
        return {
            s.name: [
                i.text
                for i in analyzer.analyze_client(
                    parsed, s.name, "Maya Chen", speakers
                ).summary.action_items
            ]
            for s in speakers
            if s.role == "client"
        }

    # Then every commitment is found either way (Priya's "I’m going to ask her" too)
    assert items(curly) == items(straight)
    assert items(curly)["Priya Nair"]
