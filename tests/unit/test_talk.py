"""Talk type of client turns and behaviour of coach turns, from the shipped models."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.analysis import talk
from coaching.analysis.talk import (
    LinearModel,
    classify_client_utterances,
    classify_coach_utterances,
    label_turns,
)
from coaching.domain.transcript import UNKNOWN_SPEAKER
from tests.unit.transcripts import transcript

SESSION = transcript(
    ("Maya Chen", "Welcome. What would you like to talk about today?"),
    ("Jordan Reyes", "I want to get better at saying no to extra projects."),
    ("Maya Chen", "It sounds like you're stretched thin."),
    (UNKNOWN_SPEAKER, "Sorry, wrong room."),
    ("Priya Nair", "Honestly I don't see the point, it's how things work here."),
    ("Priya Nair", "And it has always been fine."),
    ("Maya Chen", "What would make it worth trying?"),
)


def test_coach_turns_get_a_behaviour_and_other_named_speakers_a_talk_type():
    # Given a session with a coach, two clients and an unknown speaker
    # When its turns are labelled
    labels = label_turns(SESSION, coach="Maya Chen")
    # Then each turn has one label, at its own index
    assert [label.index for label in labels] == [turn.index for turn in SESSION.turns]
    for turn, label in zip(SESSION.turns, labels, strict=True):
        if turn.speaker == "Maya Chen":
            assert label.behaviour is not None and label.talk_type is None
        elif turn.speaker == UNKNOWN_SPEAKER:
            assert label.behaviour is None and label.talk_type is None
        else:
            assert label.talk_type is not None and label.behaviour is None


def test_without_a_coach_every_named_speaker_gets_a_talk_type():
    labels = label_turns(SESSION, coach=None)
    for turn, label in zip(SESSION.turns, labels, strict=True):
        assert label.behaviour is None
        assert (label.talk_type is None) == (turn.speaker == UNKNOWN_SPEAKER)


def test_the_context_of_a_turn_is_the_nearest_earlier_turn_by_another_speaker(monkeypatch):
    # Given a classifier that records the context it is given
    seen: dict[str, list] = {}

    def record(kind):
        def classify(texts, previous, following=None):
            seen[kind] = list(zip(texts, previous, strict=True))
            seen[f"{kind} next"] = list(zip(texts, following, strict=True))
            return ["other" if kind == "coach" else "neutral"] * len(texts)

        return classify

    monkeypatch.setattr(talk, "classify_coach_utterances", record("coach"))
    monkeypatch.setattr(talk, "classify_client_utterances", record("client"))
    # When the session is labelled
    label_turns(SESSION, coach="Maya Chen")
    # Then a client's second turn in a row still sees the turn before their first
    texts = [t.text for t in SESSION.turns]
    assert seen["client"] == [(texts[1], texts[0]), (texts[4], texts[3]), (texts[5], texts[3])]
    assert seen["coach"] == [(texts[0], None), (texts[2], texts[1]), (texts[6], texts[5])]
    # And the next context is the nearest later turn by another speaker (issue 16): a
    # client's first of two turns in a row sees the coach's answer after their second
    assert seen["client next"] == [(texts[1], texts[2]), (texts[4], texts[6]), (texts[5], texts[6])]
    assert seen["coach next"] == [(texts[0], texts[1]), (texts[2], texts[3]), (texts[6], None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What would you like to talk about today?", "question"),
        ("It sounds like you're frustrated.", "reflection"),
    ],
)
def test_obvious_coach_utterances(text, expected):
    assert classify_coach_utterances([text], [None]) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm going to cut down to two drinks a week.", "change"),
        ("I don't see why I should stop, it helps me relax.", "sustain"),
    ],
)
def test_obvious_client_utterances(text, expected):
    assert classify_client_utterances([text], [None]) == [expected]


def test_labels_are_deterministic_and_independent_of_the_batch():
    # Given the same utterances classified alone and together, twice
    texts = ["I'm going to cut down to two drinks a week.", "I live with my sister.", ""]
    previous = ["What will you do?", None, "Anything else?"]
    together = classify_client_utterances(texts, previous)
    # Then the labels do not change from call to call nor with the batch
    assert classify_client_utterances(texts, previous) == together
    alone = [classify_client_utterances([t], [p])[0] for t, p in zip(texts, previous, strict=True)]
    assert alone == together


def test_empty_inputs_give_empty_outputs():
    assert classify_client_utterances([], []) == []
    assert classify_coach_utterances([], []) == []
    assert label_turns(transcript(), coach="Maya Chen") == []


def test_texts_and_contexts_must_pair_up():
    with pytest.raises(ValueError):
        classify_coach_utterances(["How are you?"], [])


def test_a_tiny_exported_model_scores_like_its_formula():
    # Given a hand-made model: one word gram, one char gram, the cues, no context block
    arrays = {
        "classes": np.asarray(["a", "b"]),
        "blocks": np.asarray(["word", "char", "cues"]),
        "block_weights": np.asarray([1.0, 0.5, 1.0]),
        "word_vocab": np.asarray(["hello", "zzz"]),
        "word_idf": np.asarray([2.0, 1.0]),
        "char_vocab": np.asarray([" h"]),
        "char_idf": np.asarray([1.5]),
        "coef": np.zeros((2, 3 + len(talk.CUE_NAMES))),
        "intercept": np.asarray([0.1, 0.0]),
    }
    arrays["coef"][1, 0] = 1.0  # "hello" pushes towards b
    arrays["coef"][1, 2] = 1.0  # " h" too
    arrays["coef"][1, 3] = 1.0  # ends with "?"
    model = LinearModel.from_arrays(arrays)
    # When "hello hello" is scored: tf 2 -> (1 + ln 2) * idf, L2-normalised alone -> 1
    scores = model.decision_function(["hello hello", "zzz?", ""], [None, None, None])
    # Then the scores follow sublinear TF-IDF per block, block weights and the cues
    assert scores[0].tolist() == pytest.approx([0.1, 1.0 + 0.5])
    assert scores[1].tolist() == pytest.approx([0.1, 1.0])
    assert scores[2].tolist() == pytest.approx([0.1, 0.0])
    assert model.predict(["hello", ""], [None, None]) == ["b", "a"]


def test_a_next_turn_block_reads_the_following_turn():
    # Given a model whose only text block is the next turn's words
    arrays = {
        "classes": np.asarray(["change", "sustain"]),
        "blocks": np.asarray(["next"]),
        "block_weights": np.asarray([0.5]),
        "next_vocab": np.asarray(["cut", "down"]),
        "next_idf": np.asarray([1.0, 1.0]),
        "coef": np.asarray([[1.0, 0.0], [0.0, 0.0]]),
        "intercept": np.asarray([0.0, 0.1]),
    }
    model = LinearModel.from_arrays(arrays)
    # When one utterance is followed by "so you want to cut down" and one by nothing
    texts, previous = ["I drink too much", "I drink too much"], [None, None]
    labels = model.predict(texts, previous, ["So you want to cut.", None])
    # Then only the answer that names the change tips it to change; no next turn, no effect
    assert labels == ["change", "sustain"]
    assert model.predict(texts, previous) == ["sustain", "sustain"]


def test_char_grams_stay_inside_each_space_padded_word():
    assert talk.char_ngrams("Hi  Yo") == [
        *(" h", "hi", "i ", " hi", "hi ", " hi "),
        *(" y", "yo", "o ", " yo", "yo ", " yo "),
    ]


def test_a_model_whose_weights_do_not_match_its_features_is_refused():
    arrays = {
        "classes": np.asarray(["a", "b"]),
        "blocks": np.asarray(["cues"]),
        "block_weights": np.asarray([1.0]),
        "coef": np.zeros((2, 1)),
        "intercept": np.zeros(2),
    }
    with pytest.raises(ValueError, match="weights"):
        LinearModel.from_arrays(arrays)
