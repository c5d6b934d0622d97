"""The overview's quotes: the sentences covering what the session kept saying, said as meant
and never a fragment; its topics named as noun phrases when people say them so."""

from __future__ import annotations

from coaching.analysis.summary.central import (
    candidates,
    concept_weights,
    cover,
    fluent,
    is_clause,
)
from coaching.analysis.summary.salience import as_named, phrases_of

TURNS = [
    ("Ana", "The remote control needs a bigger battery."),
    ("Ben", "I think the remote control should glow in the dark."),
    ("Ana", "A cheap remote control sells better, the marketing report says so."),
    ("Ben", "My cousin collects antique porcelain teapots from Cornwall every summer."),
    ("Ana", "The porcelain teapots are lovely, and the remote control fits the budget."),
    ("Ben", "The marketing report ranks the remote control first for the budget."),
]


def test_restarts_and_cut_off_words_are_dropped_from_a_quote() -> None:
    # Given sentences as spoken, with a restart and a word cut off and said again
    # When made fluent
    # Then each is said once, and a real word before a longer one stays
    assert fluent("You can you can press the turbo button.") == "You can press the turbo button."
    assert fluent("It shou should onl only be used for the TV.") == (
        "It should only be used for the TV."
    )
    assert fluent("The changes in internal tools.") == "The changes in internal tools."


def test_fragments_without_a_verb_or_cut_mid_thought_are_not_quotable() -> None:
    # Given pieces of speech, When asked whether each reads as a whole thought
    # Then a clause is, a verbless phrase or one ending on "the" or a relative opener is not
    assert is_clause("A key aspect of education is the voice of the child.")
    assert is_clause("We decided against the solar cells.")
    assert not is_clause("On behalf of the leaders of social services across Wales.")
    assert is_clause("A cheap remote control sells better.")
    assert is_clause("In the end we chose the yellow case.")
    assert not is_clause("In terms of being community schools.")
    assert not is_clause("Instead of using the probability computed by the network.")
    assert not is_clause("Instead of using the probability computed by the.")
    assert not is_clause("Which is outlined in the evidence.")
    # Cut off before what "that" begins (QMSum: "a set of intermediate categories of speech
    # that."), or pointing at something said before it
    assert not is_clause("A set of intermediate categories of speech that.")
    assert not is_clause("We should definitely try to do that.")


def test_quotes_cover_the_concepts_many_turns_repeat() -> None:
    # Given a session where "remote control" is said in most turns and the teapots in two
    phrases = phrases_of(TURNS, set())
    pool = candidates(TURNS, phrases)
    weights = concept_weights(TURNS)
    assert weights[("remote", "control")] == 5
    assert ("antique", "porcelain") not in weights  # said in one turn only
    # When one quote is chosen
    covered: set = set()
    first = cover(pool, weights, 1, covered)
    # Then it carries what the session repeats, not the rarest words
    assert "remote control" in first[0].text
    # And the next adds concepts not covered yet rather than repeating the same pair
    second = cover([c for c in pool if c not in first], weights, 1, covered)
    assert ("remote", "control") in covered
    assert second and "porcelain teapots" in second[0].text


def test_a_topic_said_after_a_determiner_is_named_with_the() -> None:
    # Given phrases said as "the remote control" / "the marketing report", and a proper name
    turns = [*TURNS, ("Ana", "Our supplier is Tandem Network, and Tandem Network said yes.")]
    phrases = phrases_of(turns, set())
    # When named in a sentence
    # Then the determiner people use comes with it, and a proper name stays as said
    assert as_named(phrases[("remote", "control")], turns) == "the remote control"
    assert as_named(phrases[("marketing", "report")], turns) == "the marketing report"
    assert as_named(phrases[("tandem", "network")], turns) == "Tandem Network"


def test_a_topic_never_said_after_a_determiner_stays_bare() -> None:
    turns = [
        ("Ana", "Budget planning is hard for me."),
        ("Ben", "Everyone struggles with budget planning at first."),
    ]
    phrases = phrases_of(turns, set())
    assert as_named(phrases[("budget", "planning")], turns) == "budget planning"
