from __future__ import annotations

import csv
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.analysis.coach_detection import identify_coach
from coaching.analysis.sensitive import _CATEGORIES, categories_of, flag_turns, without_benign
from coaching.analysis.speaking import speaking_stats
from coaching.analysis.supervision import is_open_question, supervision_metrics
from coaching.analysis.talk import label_turns
from coaching.domain.results import TurnLabel
from coaching.parsing import parse_transcript
from tests.unit.transcripts import transcript


def test_health_and_medication_mentions_are_flagged_with_their_turn():
    session = transcript(
        ("Coach", "How was the week?"),
        ("Ann", "My doctor changed my medication, the anxiety is better."),
        ("Ben", "I finished the budget."),
    )
    flags = flag_turns(session.turns)
    assert [(f.turn, f.speaker) for f in flags] == [(1, "Ann")]
    assert {"medication", "diagnosis"} <= set(flags[0].categories)


def test_ordinary_work_talk_is_not_flagged():
    session = transcript(("Ann", "The operations review went well and the team is happy."))
    assert flag_turns(session.turns) == []


def test_homophones_and_compounds_are_not_flagged_but_disclosures_next_to_them_are():
    # "pills" heard for "peers", custody of data, breakdowns of numbers, a title
    assert categories_of("I talked to my pills about the rollout and they agreed.") == []
    assert categories_of("Add a custody field to the account form.") == []
    assert categories_of("Can you send me the cost breakdown by region?") == []
    assert categories_of("I'll ping Ms Patel and share it in MS Teams.") == []
    assert categories_of("We need to diagnose why the build keeps failing.") == []
    # ASR on real calls: Dilithium heard as "the lithium", a word cut short, a self-introduction
    assert categories_of("We can move on to the lithium and Falcon signatures.") == []
    assert categories_of("Every single encrypted trans… every single transaction.") == []
    assert categories_of("So I'm Christian, I'm part of the Protocol Fellowship.") == []
    # while the same words in a disclosure still are
    assert categories_of("I keep forgetting to take my pills.") == ["medication"]
    assert categories_of("We share custody of the kids.") == ["protected"]
    assert categories_of("I had a breakdown after that meeting.") == ["mental_health"]
    assert categories_of("I have MS, so some days I cannot commute.") == ["health"]
    assert categories_of("The cost breakdown made my anxiety worse.") == ["mental_health"]


def test_the_labelled_sentences_are_flagged_with_high_precision_and_recall():
    # Given the labelled set written before the lexicon changed (half hard negatives)
    table = Path(__file__).parent / "data" / "sensitive_sentences.csv"
    with table.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    flagged = [bool(categories_of(row["text"])) for row in rows]
    sensitive = [bool(row["expected"]) for row in rows]
    hits = sum(f and s for f, s in zip(flagged, sensitive, strict=True))
    # Then nearly every disclosure is flagged (before issue 16: 0.84), and most flags are
    # right (before: 0.47)
    assert hits / sum(sensitive) >= 0.95
    assert hits / sum(flagged) >= 0.85


def test_open_and_closed_questions_are_told_apart():
    assert is_open_question("What would make that feel safe?")
    assert is_open_question("So how did it go?")
    assert not is_open_question("Did you send it?")
    assert not is_open_question("Is that right?")


def test_supervision_metrics_count_the_coachs_behaviour():
    # Given a coach who asks one open and one closed question, reflects once and advises once
    session = transcript(
        ("Coach", "What brings you here? Is it work?"),
        ("Ann", "Work, mostly."),
        ("Coach", "It sounds like work is heavy."),
        ("Ann", "Yes."),
        ("Coach", "You should try blocking mornings."),
    )
    labels = [
        TurnLabel(index=0, behaviour="question"),
        TurnLabel(index=1, talk_type="neutral"),
        TurnLabel(index=2, behaviour="reflection"),
        TurnLabel(index=3, talk_type="neutral"),
        TurnLabel(index=4, behaviour="input"),
    ]
    speakers = speaking_stats(session, "Coach")
    metrics = supervision_metrics(session, "Coach", speakers, labels)
    # Then each is counted, and ratios are derived from the counts
    assert (metrics.questions, metrics.open_questions, metrics.closed_questions) == (2, 1, 1)
    assert metrics.reflections == 1 and metrics.advice_giving == 1
    assert metrics.question_rate == round(2 / 3, 4)
    assert metrics.reflection_to_question == 0.5
    assert metrics.coach_talk_ratio == round(3 / 5, 4)


def test_a_turn_that_reflects_advises_and_asks_counts_each_move():
    # Given one coach turn that reflects, then advises, then asks (issue 16's example)
    session = transcript(
        ("Priya", "I keep saying yes to every invite and I feel overwhelmed."),
        (
            "Coach",
            "That sounds exhausting. You could try blocking two mornings a week as focus "
            "time. What would help you do that?",
        ),
    )
    labels = label_turns(session, "Coach")
    metrics = supervision_metrics(session, "Coach", speaking_stats(session, "Coach"), labels)
    # Then each sentence's move is counted, not only the turn's one label
    assert metrics.coach_turns == 1 and metrics.coach_sentences == 3
    assert (metrics.reflections, metrics.advice_giving, metrics.questions) == (1, 1, 1)
    assert metrics.inputs == 1 and metrics.open_questions == 1


def test_the_bundled_sample_counts_reflections_and_advice():
    # Given the sample `make run` shows (before issue 16: 0 reflections, 0 advice)
    sample = Path(__file__).parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
    session = parse_transcript(sample.read_bytes(), sample.name)
    coach = identify_coach(session).name
    labels = label_turns(session, coach)
    metrics = supervision_metrics(session, coach, speaking_stats(session, coach), labels)
    # Then the coach's reflections ("That's a real shift.") and advice are counted
    assert metrics.reflections >= 2 and metrics.advice_giving >= 1
    assert metrics.coach_sentences > metrics.coach_turns


def test_a_leading_name_does_not_close_an_open_question():
    assert is_open_question("Jordan, how did the week go?")
    assert not is_open_question("Alex, anything you want to bring today?")


def test_no_coach_means_empty_supervision():
    session = transcript(("Ann", "hi"), ("Ben", "hello?"))
    metrics = supervision_metrics(session, None, speaking_stats(session, None), [])
    assert metrics.coach_turns == 0 and metrics.questions == 0
    assert metrics.reflection_to_question is None


# Words of the lexicon, in any case, among ordinary words and non-ASCII letters (the Kelvin
# sign and the long s fold to k and s only under case-insensitive matching).
_LEXICON_WORDS = ["Diabetes", "MS", "burnt-out", "my GP", "Self harm", "weed", "PRAYING", "ivf"]
_OTHER_WORDS = ["team", "budget", "operation", "Ms.", "weekend", "ſelf", "\u212aids", "É"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LEXICON_WORDS + _OTHER_WORDS) | st.text(max_size=12)))
def test_flags_are_exactly_those_of_case_insensitive_matching_of_each_category(words):
    # Given any text, ASCII or not
    text = " ".join(words)
    # Then the categories found are those of the case-insensitive patterns, in their order,
    # once the benign phrases ("Ms Patel", "cost breakdown") are blanked out (issue 16)
    expected = [
        name
        for name, body in _CATEGORIES.items()
        if re.search(rf"\b({body})\b", without_benign(text), re.IGNORECASE)
    ]
    assert categories_of(text) == expected
