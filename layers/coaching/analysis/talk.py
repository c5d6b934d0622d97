"""Talk type of client turns and behaviour of coach turns, from two small linear models.

Motivational-interviewing codes as annotated in AnnoMI: a client utterance leans towards
change (wins, commitments), sustain (challenges, reasons not to change) or is neutral; a
coach utterance is a question, a reflection, input (advice, information) or other.

Each model is a TF-IDF + logistic regression trained offline with scikit-learn
(bench/train_talk_classifiers.py) and exported to `models/*.npz` (numbers and strings
only, loaded without pickle). Here the same features are rebuilt with the standard
library and scored with numpy, so the runtime needs neither scikit-learn nor a network.

Features of one utterance (the same function builds them for training and at run time):

* `word`: word 1-2-grams of the utterance, with start and end markers ("<s> so",
  "? </s>"), sublinear TF-IDF, L2-normalised;
* `char`: character 2-5-grams within word boundaries, sublinear TF-IDF, L2-normalised;
* `prev`: word 1-2-grams of the previous turn by the other party (the coach's before a
  client turn, the client's before a coach turn), sublinear TF-IDF, L2-normalised;
* `next` (models trained since issue 16): the same for the next turn by another speaker —
  the whole transcript is there when it is labelled, and how the coach answers ("so you want
  to cut down") tells change talk from sustain talk;
* `cues`: a handful of counts (question mark, "so ..." / "it sounds like" / "you feel"
  openings, first- and second-person pronouns, negations, length; the previous turn's
  question mark).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import cast

import numpy as np

from coaching.domain.results import Behaviour, TalkType, TurnLabel
from coaching.domain.transcript import UNKNOWN_SPEAKER, Transcript

CLIENT_MODEL = "client_talk_type.npz"
COACH_MODEL = "coach_behaviour.npz"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")


def normalise(text: str | None) -> str:
    """Lower case, straight apostrophes, single spaces."""
    if not text:
        return ""
    return " ".join(text.translate(_APOSTROPHES).lower().split())


def word_ngrams(text: str | None) -> list[str]:
    """Word 1- and 2-grams, with <s> and </s> around the utterance (an empty one has none)."""
    tokens = _WORD.findall(normalise(text))
    if not tokens:
        return []
    padded = ["<s>", *tokens, "</s>"]
    return tokens + [f"{a} {b}" for a, b in zip(padded, padded[1:], strict=False)]


def char_ngrams(text: str | None) -> list[str]:
    """Character 2-5-grams inside each space-padded word (scikit-learn's `char_wb`)."""
    grams: list[str] = []
    for word in normalise(text).split():
        grams.extend(word_char_ngrams(word))
    return grams


@functools.lru_cache(maxsize=1 << 16)
def word_char_ngrams(word: str) -> tuple[str, ...]:
    """The 2-5-grams of " word " (a padded word is at least 3 characters long)."""
    padded = f" {word} "
    size = len(padded)
    return tuple(padded[i : i + n] for n in range(2, min(5, size) + 1) for i in range(size - n + 1))


_FIRST_PERSON = frozenset(
    "i me my mine myself i'm i've i'd i'll we us our ours ourselves we're we've".split()
)
_SECOND_PERSON = frozenset("you your yours yourself yourselves you're you've you'd you'll".split())
_NEGATIONS = frozenset("not no never nothing nobody none nor cannot".split())
_REFLECTION_OPENINGS = re.compile(
    r"^(?:so|it sounds|sounds like|it seems|seems like|you feel|you're feeling|you've|you're|"
    r"you|what i'm hearing|i'm hearing|on one hand|on the one hand)\b"
)
_QUESTION_OPENINGS = re.compile(
    r"^(?:what|how|why|when|where|who|which|do|does|did|are|is|was|were|have|has|can|could|"
    r"would|will|should|tell me)\b"
)
_YOU_FEEL = re.compile(r"\byou(?:'re)? (?:feel|feeling|think|want|believe|sound)\b")
_SOUNDS_LIKE = re.compile(r"\b(?:sounds like|it seems|seems like|you're saying|i'm hearing)\b")
_COMMITMENT = re.compile(r"\b(?:i will|i'll|i'm going to|i am going to|i want to|i plan to)\b")

CUE_NAMES = (
    "ends_with_question",
    "has_question",
    "reflection_opening",
    "question_opening",
    "you_feel",
    "sounds_like",
    "commitment",
    "first_person",
    "second_person",
    "negations",
    "log_words",
    "prev_none",
    "prev_question",
)


def cues(text: str | None, previous: str | None) -> list[float]:
    """The cheap cues, in the order of CUE_NAMES, each roughly within 0..1."""
    lowered = normalise(text)
    stripped = lowered.rstrip(" .!\"')")
    words = _WORD.findall(lowered)
    n_words = sum(1 for w in words if w not in {"?", "!"})
    first = sum(1 for w in words if w in _FIRST_PERSON)
    second = sum(1 for w in words if w in _SECOND_PERSON)
    negations = sum(1 for w in words if w in _NEGATIONS or w.endswith("n't"))
    prev = normalise(previous)
    return [
        float(stripped.endswith("?")),
        float("?" in lowered),
        float(bool(_REFLECTION_OPENINGS.search(lowered))),
        float(bool(_QUESTION_OPENINGS.search(lowered))),
        float(bool(_YOU_FEEL.search(lowered))),
        float(bool(_SOUNDS_LIKE.search(lowered))),
        float(bool(_COMMITMENT.search(lowered))),
        min(first, 5) / 5,
        min(second, 5) / 5,
        min(negations, 3) / 3,
        math.log1p(n_words) / 5,
        float(not prev),
        float("?" in prev),
    ]


ANALYZERS = {"word": word_ngrams, "char": char_ngrams, "prev": word_ngrams, "next": word_ngrams}
# Which input each text block reads: the utterance itself, the previous or the next turn.
BLOCK_INPUT = {"word": "text", "char": "text", "prev": "previous", "next": "following"}
TEXT_BLOCKS = ("word", "char", "prev", "next")


@dataclass(frozen=True)
class LinearModel:
    """Exported TF-IDF vocabularies and a linear classifier over their concatenation."""

    classes: tuple[str, ...]
    vocabularies: dict[str, dict[str, int]]  # block -> gram -> column within the block
    idf: dict[str, np.ndarray]
    block_weights: dict[str, float]
    offsets: dict[str, int]  # block -> first column in `coef`
    coef: np.ndarray  # (features, classes)
    intercept: np.ndarray  # (classes,)
    _word_columns: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> LinearModel:
        blocks = [str(b) for b in arrays["blocks"]]
        weights = [float(w) for w in arrays["block_weights"]]
        vocabularies, idf, offsets = {}, {}, {}
        offset = 0
        for block in blocks:
            if block == "cues":
                offsets[block] = offset
                offset += len(CUE_NAMES)
                continue
            vocab = [str(g) for g in arrays[f"{block}_vocab"]]
            vocabularies[block] = {gram: i for i, gram in enumerate(vocab)}
            idf[block] = np.asarray(arrays[f"{block}_idf"], dtype=np.float64)
            offsets[block] = offset
            offset += len(vocab)
        coef = np.asarray(arrays["coef"], dtype=np.float64)
        if coef.shape[1] != offset:
            raise ValueError(f"model has {coef.shape[1]} weights for {offset} features")
        return cls(
            classes=tuple(str(c) for c in arrays["classes"]),
            vocabularies=vocabularies,
            idf=idf,
            block_weights=dict(zip(blocks, weights, strict=True)),
            offsets=offsets,
            coef=np.ascontiguousarray(coef.T),
            intercept=np.asarray(arrays["intercept"], dtype=np.float64),
        )

    def _char_columns(self, word: str) -> list[int]:
        cache = self._word_columns
        columns = cache.get(word)
        if columns is None:
            if len(cache) > 1 << 16:
                cache.clear()
            vocab = self.vocabularies["char"]
            columns = [c for c in map(vocab.get, word_char_ngrams(word)) if c is not None]
            cache[word] = columns
        return columns

    def _occurrences(self, block: str, sources: list[str | None]) -> tuple[list[int], list[int]]:
        """(row, column) of every in-vocabulary gram of the block, one pair per occurrence."""
        rows: list[int] = []
        cols: list[int] = []
        if block == "char":
            for r, source in enumerate(sources):
                before = len(cols)
                for word in normalise(source).split():
                    cols.extend(self._char_columns(word))
                rows.extend([r] * (len(cols) - before))
            return rows, cols
        vocab, analyzer = self.vocabularies[block], ANALYZERS[block]
        for r, source in enumerate(sources):
            found = [c for c in map(vocab.get, analyzer(source)) if c is not None]
            cols.extend(found)
            rows.extend([r] * len(found))
        return rows, cols

    def features(
        self,
        texts: list[str],
        previous: list[str | None],
        following: list[str | None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The feature matrix in coordinate form: (rows, columns, values)."""
        inputs: dict[str, list[str | None]] = {
            "text": list(texts),
            "previous": previous,
            "following": following if following is not None else [None] * len(texts),
        }
        blocks = []
        for block, weight in self.block_weights.items():
            if block == "cues":
                blocks.append(self._cue_features(texts, previous, weight))
                continue
            found = self._weighted_tf_idf(block, inputs[BLOCK_INPUT[block]], len(texts), weight)
            if found is not None:
                blocks.append(found)
        if not blocks:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.float64)
        rows, cols, values = zip(*blocks, strict=True)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(values)

    def _cue_features(
        self, texts: list[str], previous: list[str | None], weight: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The hand-written cues block: its non-zero cells, weighted."""
        dense = np.asarray(
            [cues(t, p) for t, p in zip(texts, previous, strict=True)], dtype=np.float64
        ).reshape(len(texts), len(CUE_NAMES))
        rows, cols = np.nonzero(dense)
        return rows, cols + self.offsets["cues"], dense[rows, cols] * weight

    def _weighted_tf_idf(
        self, block: str, sources: list[str | None], n: int, weight: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """One vocabulary block: log-scaled counts times idf, each row scaled to `weight`
        (L2); None when no source has a word of the vocabulary."""
        occ_rows, occ_cols = self._occurrences(block, sources)
        if not occ_cols:
            return None
        width = len(self.vocabularies[block])
        keys, counts = np.unique(
            np.asarray(occ_rows, dtype=np.int64) * width + np.asarray(occ_cols, dtype=np.int64),
            return_counts=True,
        )
        rows, cols = np.divmod(keys, width)
        values = (np.log(counts) + 1.0) * self.idf[block][cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        values *= weight / norms[rows]
        return rows, cols + self.offsets[block], values

    def decision_function(
        self,
        texts: list[str],
        previous: list[str | None],
        following: list[str | None] | None = None,
    ) -> np.ndarray:
        if len(texts) != len(previous) or (following is not None and len(following) != len(texts)):
            raise ValueError("texts and previous (or next) turns differ in length")
        scores = np.tile(self.intercept, (len(texts), 1))
        if not texts:
            return scores
        rows, cols, vals = self.features(texts, previous, following)
        contributions = self.coef[cols] * vals[:, None]
        for c in range(scores.shape[1]):
            scores[:, c] += np.bincount(rows, weights=contributions[:, c], minlength=len(texts))
        return scores

    def predict(
        self,
        texts: list[str],
        previous: list[str | None],
        following: list[str | None] | None = None,
    ) -> list[str]:
        scores = self.decision_function(texts, previous, following)
        return [self.classes[i] for i in np.argmax(scores, axis=1)]


def load_model(name: str) -> LinearModel:
    """A model from this package's `models` folder."""
    resource = resources.files("coaching.analysis").joinpath("models", name)
    with resource.open("rb") as handle, np.load(handle, allow_pickle=False) as arrays:
        return LinearModel.from_arrays({key: arrays[key] for key in arrays.files})


@functools.cache
def _client_model() -> LinearModel:
    return load_model(CLIENT_MODEL)


@functools.cache
def _coach_model() -> LinearModel:
    return load_model(COACH_MODEL)


def classify_client_utterances(
    texts: list[str],
    previous_coach: list[str | None],
    following: list[str | None] | None = None,
) -> list[TalkType]:
    """change / neutral / sustain for each client utterance, given the coach's turn before it
    (and the turn after it, when known)."""
    if not texts:
        return []
    return cast(list[TalkType], _client_model().predict(texts, previous_coach, following))


def classify_coach_utterances(
    texts: list[str],
    previous_client: list[str | None],
    following: list[str | None] | None = None,
) -> list[Behaviour]:
    """question / reflection / input / other for each coach utterance, given the turn before
    (and the turn after it, when known)."""
    if not texts:
        return []
    return cast(list[Behaviour], _coach_model().predict(texts, previous_client, following))


def context_turns(transcript: Transcript) -> list[str | None]:
    """For each turn, the text of the nearest earlier turn by another speaker (None first)."""
    previous: list[str | None] = []
    last_text: str | None = None
    last_speaker: str | None = None
    earlier_other: str | None = None  # the latest turn of someone else than `last_speaker`
    for turn in transcript.turns:
        if last_speaker is None:
            previous.append(None)
        elif turn.speaker != last_speaker:
            previous.append(last_text)
        else:
            previous.append(earlier_other)
        if turn.speaker != last_speaker:
            earlier_other = last_text
        last_speaker, last_text = turn.speaker, turn.text
    return previous


def following_turns(transcript: Transcript) -> list[str | None]:
    """For each turn, the text of the nearest later turn by another speaker (None last)."""
    turns = transcript.turns
    following: list[str | None] = [None] * len(turns)
    for i in range(len(turns) - 2, -1, -1):
        after = turns[i + 1]
        # The same speaker again: theirs is the answer to this turn too.
        following[i] = after.text if after.speaker != turns[i].speaker else following[i + 1]
    return following


def label_turns(transcript: Transcript, coach: str | None) -> list[TurnLabel]:
    """One label per turn: behaviour for the coach's, talk type for other named speakers'.

    Turns of the unknown speaker get neither. Without a coach every named speaker's turn
    gets a talk type. The context of a turn is the nearest earlier turn by another speaker.
    """
    turns = transcript.turns
    previous = context_turns(transcript)
    following = following_turns(transcript)
    coach_at = [i for i, t in enumerate(turns) if coach is not None and t.speaker == coach]
    client_at = [
        i
        for i, t in enumerate(turns)
        if t.speaker != UNKNOWN_SPEAKER and (coach is None or t.speaker != coach)
    ]
    behaviours = classify_coach_utterances(
        [turns[i].text for i in coach_at],
        [previous[i] for i in coach_at],
        [following[i] for i in coach_at],
    )
    talk_types = classify_client_utterances(
        [turns[i].text for i in client_at],
        [previous[i] for i in client_at],
        [following[i] for i in client_at],
    )
    behaviour_at = dict(zip(coach_at, behaviours, strict=True))
    talk_type_at = dict(zip(client_at, talk_types, strict=True))
    return [
        TurnLabel(index=turn.index, talk_type=talk_type_at.get(i), behaviour=behaviour_at.get(i))
        for i, turn in enumerate(turns)
    ]
