"""A Lexicon answers as its case-insensitive pattern does, on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.analysis import offline
from coaching.analysis.lexicon import Lexicon

LEXICONS = [offline._WIN, offline._CHALLENGE, offline._COMMITMENT, offline._BREAKTHROUGH]
LEXICONS.append(offline._ADVICE)
# Phrases of the lists in any case, beside ordinary and non-ASCII words (the Kelvin sign and
# the long s fold to k and s only under case-insensitive matching).
WORDS = ["I FINALLY", "i'm Proud", "struggling", "Stuck", "I'll", "my next step", "AHA"]
WORDS += ["Light bulb", "You could", "try", "team", "\u212aeep", "ſtuck", "İ'll", "é", "-"]
WORDS += ["I\u2019ll", "i\u2018m Proud"]  # typographic apostrophes, as Word writes them
STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=10), max_size=12))
def test_a_lexicon_finds_what_its_case_insensitive_pattern_finds(words):
    text = " ".join(words)
    for lexicon in LEXICONS:
        straight = text.translate(STRAIGHT)
        assert lexicon.search(text) == (lexicon.pattern.search(straight) is not None)


def test_a_typographic_apostrophe_is_read_as_a_straight_one():
    assert offline._COMMITMENT.search("I\u2019ll send Sam the template by Friday.")
    assert offline._COMMITMENT.search("I\u2019m going to ask her, Zo\u00eb, on Monday.")
    assert not offline._COMMITMENT.search("Sam was ill last week.")


def test_a_lexicon_with_an_upper_case_letter_is_refused():
    # `\S` would mean something else on lower-cased text: better to fail at import
    with pytest.raises(ValueError, match="lower case"):
        Lexicon(r"\bdone\S*")
