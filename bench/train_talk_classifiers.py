"""Train the talk-type and coach-behaviour classifiers on AnnoMI; export them for the runtime.

Two tasks on the AnnoMI development set (one row per utterance, in order per transcript):

* client utterance -> change / neutral / sustain (`client_talk_type`);
* therapist utterance -> question / reflection / input / other (`main_therapist_behaviour`,
  with therapist_input renamed input).

Features are those of `coaching.analysis.talk` (the same analyzer functions feed
scikit-learn here): word 1-2-gram, char 2-5-gram and previous-turn word 1-2-gram
sublinear TF-IDF blocks plus a few cues, into a multinomial logistic regression with
balanced class weights. First a GROUP k-fold by transcript_id (no transcript in both train
and test) gives the figures to report; then the shipped model is trained on all the data,
exported as numbers and strings to layers/coaching/analysis/models/*.npz, and checked: the
numpy runtime must give sklearn's predictions on every utterance.

    .venv/bin/python bench/train_talk_classifiers.py \
        [--data ../shared/data/annomi/AnnoMI-simple-dev.csv] [--folds 5] [--no-export]

Needs scikit-learn (a dev requirement); the runtime does not.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))

from coaching.analysis import talk  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "annomi" / "AnnoMI-simple-dev.csv"
MODELS = REPO / "layers" / "coaching" / "analysis" / "models"
SEED = 0


@dataclass(frozen=True)
class Config:
    """Features and regularisation of one task's model."""

    blocks: tuple[str, ...] = ("word", "char", "prev", "cues")
    block_weights: tuple[float, ...] = (1.0, 1.0, 0.5, 1.0)
    min_df: int = 2
    C: float = 1.0
    # Per-class offsets added to the intercept, chosen by an inner group k-fold on the
    # training transcripts to maximise macro-F1 (balanced class weights overshoot).
    tune_offsets: bool = False


@dataclass(frozen=True)
class Task:
    name: str  # "client" or "coach"
    role: str  # AnnoMI interlocutor
    column: str  # label column
    model_file: str
    positive: str  # the class whose F1 is reported apart
    config: Config = field(default_factory=Config)


TASKS = {
    "client": Task(
        "client",
        "client",
        "client_talk_type",
        talk.CLIENT_MODEL,
        "change",
        Config(
            blocks=("word", "char", "prev", "next", "cues"),
            block_weights=(1.0, 1.0, 0.5, 0.5, 1.0),
            C=0.3,
        ),
    ),
    "coach": Task(
        "coach",
        "therapist",
        "main_therapist_behaviour",
        talk.COACH_MODEL,
        "reflection",
        Config(
            blocks=("word", "char", "prev", "next", "cues"),
            block_weights=(1.0, 1.0, 0.5, 0.5, 1.0),
            C=1.0,
            tune_offsets=True,
        ),
    ),
}
RENAME = {"therapist_input": "input"}


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    previous: list[str | None]
    labels: list[str]
    groups: list[str]
    following: list[str | None]

    def take(self, index: np.ndarray) -> Examples:
        return Examples(
            [self.texts[i] for i in index],
            [self.previous[i] for i in index],
            [self.labels[i] for i in index],
            [self.groups[i] for i in index],
            [self.following[i] for i in index],
        )


def load_examples(path: Path, task: Task) -> Examples:
    """The task's utterances with the nearest earlier and later utterances by the other
    party (within the transcript)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts, previous, labels, groups, following = [], [], [], [], []
    last: dict[str, tuple[str, str]] = {}  # transcript -> (interlocutor, text) of the last row
    earlier_other: dict[str, str | None] = {}
    for position, row in enumerate(rows):
        tid, speaker, text = row["transcript_id"], row["interlocutor"], row["utterance_text"]
        before = last.get(tid)
        if before is None:
            prev = None
        elif before[0] != speaker:
            prev = before[1]
        else:
            prev = earlier_other.get(tid)
        if before is None or before[0] != speaker:
            earlier_other[tid] = before[1] if before else None
        last[tid] = (speaker, text)
        if speaker == task.role:
            texts.append(text)
            previous.append(prev)
            labels.append(RENAME.get(row[task.column], row[task.column]))
            groups.append(tid)
            following.append(_next_by_other(rows, position))
    return Examples(texts, previous, labels, groups, following)


def _next_by_other(rows: list[dict[str, str]], position: int) -> str | None:
    """The first later utterance of the same transcript by another interlocutor."""
    here = rows[position]
    for row in rows[position + 1 :]:
        if row["transcript_id"] != here["transcript_id"]:
            return None
        if row["interlocutor"] != here["interlocutor"]:
            return row["utterance_text"]
    return None


class Model:
    """sklearn's side of the model: fitted vectorizers and the logistic regression."""

    def __init__(self, config: Config):
        self.config = config
        self.vectorizers: dict[str, TfidfVectorizer] = {}
        self.classifier = LogisticRegression(
            C=config.C, class_weight="balanced", max_iter=5000, random_state=SEED
        )

    def _inputs(self, block: str, data: Examples) -> list[str]:
        sources = {"text": data.texts, "previous": data.previous, "following": data.following}
        return [s or "" for s in sources[talk.BLOCK_INPUT[block]]]

    def matrix(self, data: Examples, fit: bool = False) -> sparse.csr_matrix:
        parts = []
        for block, weight in zip(self.config.blocks, self.config.block_weights, strict=True):
            if block == "cues":
                dense = [talk.cues(t, p) for t, p in zip(data.texts, data.previous, strict=True)]
                parts.append(sparse.csr_matrix(np.asarray(dense, dtype=np.float64) * weight))
                continue
            if fit:
                self.vectorizers[block] = TfidfVectorizer(
                    analyzer=talk.ANALYZERS[block],
                    sublinear_tf=True,
                    min_df=self.config.min_df,
                    dtype=np.float64,
                )
                block_matrix = self.vectorizers[block].fit_transform(self._inputs(block, data))
            else:
                block_matrix = self.vectorizers[block].transform(self._inputs(block, data))
            parts.append(block_matrix * weight)
        return sparse.hstack(parts, format="csr")

    def fit(self, data: Examples) -> Model:
        self.offsets = np.zeros(0)
        if self.config.tune_offsets:
            self.offsets = tuned_offsets(data, self.config)
        self.classifier.fit(self.matrix(data, fit=True), data.labels)
        if not self.offsets.size:
            self.offsets = np.zeros(len(self.classifier.classes_))
        return self

    def predict(self, data: Examples) -> list[str]:
        scores = self.decision_function(data)
        return [str(self.classifier.classes_[i]) for i in np.argmax(scores, axis=1)]

    def decision_function(self, data: Examples) -> np.ndarray:
        return self.classifier.decision_function(self.matrix(data)) + self.offsets

    def export(self) -> dict[str, np.ndarray]:
        """Plain arrays (strings and floats) that `talk.LinearModel.from_arrays` reads."""
        arrays: dict[str, np.ndarray] = {
            "classes": np.asarray([str(c) for c in self.classifier.classes_]),
            "blocks": np.asarray(self.config.blocks),
            "block_weights": np.asarray(self.config.block_weights, dtype=np.float64),
            "coef": np.asarray(self.classifier.coef_, dtype=np.float64),
            "intercept": np.asarray(self.classifier.intercept_ + self.offsets, dtype=np.float64),
        }
        for block, vectorizer in self.vectorizers.items():
            vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            arrays[f"{block}_vocab"] = np.asarray(vocabulary)
            arrays[f"{block}_idf"] = np.asarray(vectorizer.idf_, dtype=np.float64)
        return arrays


def tuned_offsets(data: Examples, config: Config, folds: int = 3) -> np.ndarray:
    """Per-class score offsets that maximise macro-F1 of out-of-fold predictions on ``data``
    (group k-fold by transcript, so never scored on a transcript it was fitted on)."""
    plain = Config(config.blocks, config.block_weights, config.min_df, config.C)
    truth = np.asarray(data.labels)
    classes = np.asarray(sorted(set(data.labels)))
    out_of_fold = np.zeros((len(truth), len(classes)))
    for train, test in GroupKFold(n_splits=folds).split(data.texts, truth, data.groups):
        out_of_fold[test] = Model(plain).fit(data.take(train)).decision_function(data.take(test))
    offsets = np.zeros(len(classes))

    def macro_f1(candidate: np.ndarray) -> float:
        predicted = classes[np.argmax(out_of_fold + candidate, axis=1)]
        return float(f1_score(truth, predicted, average="macro"))

    best = macro_f1(offsets)
    for _ in range(2):  # coordinate ascent over a coarse grid, twice round
        for c in range(len(classes)):
            for value in np.round(np.arange(-1.0, 1.01, 0.1), 2):
                candidate = offsets.copy()
                candidate[c] = value
                score = macro_f1(candidate)
                if score > best + 1e-9:
                    best, offsets = score, candidate
    return offsets


def scores(truth: list[str], predicted: list[str], positive: str) -> dict:
    classes = sorted(set(truth))
    per_class = f1_score(truth, predicted, labels=classes, average=None, zero_division=0)
    majority = Counter(truth).most_common(1)[0][0]
    return {
        "n": len(truth),
        "macro_f1": round(float(np.mean(per_class)), 4),
        "per_class_f1": {c: round(float(f), 4) for c, f in zip(classes, per_class, strict=True)},
        f"{positive}_f1": round(float(per_class[classes.index(positive)]), 4),
        "accuracy": round(float(np.mean(np.asarray(truth) == np.asarray(predicted))), 4),
        "majority_class": majority,
        "majority_macro_f1": round(
            float(
                f1_score(
                    truth, [majority] * len(truth), labels=classes, average="macro", zero_division=0
                )
            ),
            4,
        ),
    }


def cross_validate(data: Examples, task: Task, folds: int = 5) -> dict:
    """Group k-fold by transcript: pooled out-of-fold predictions, scored once."""
    predicted = [""] * len(data.labels)
    splitter = GroupKFold(n_splits=folds)
    for train, test in splitter.split(data.texts, data.labels, data.groups):
        model = Model(task.config).fit(data.take(train))
        for i, label in zip(test, model.predict(data.take(test)), strict=True):
            predicted[i] = label
    report = scores(data.labels, predicted, task.positive)
    report["folds"] = folds
    report["transcripts"] = len(set(data.groups))
    return report


def check_runtime(model: Model, data: Examples) -> dict:
    """The numpy runtime against sklearn on the same utterances: same labels, same scores."""
    runtime = talk.LinearModel.from_arrays(model.export())
    expected = model.decision_function(data)
    got = runtime.decision_function(data.texts, data.previous, data.following)
    same = runtime.predict(data.texts, data.previous, data.following) == model.predict(data)
    return {
        "utterances": len(data.texts),
        "same_predictions": same,
        "max_score_difference": float(np.max(np.abs(expected - got))),
    }


def train_and_export(data: Examples, task: Task, out: Path | None) -> dict:
    model = Model(task.config).fit(data)
    check = check_runtime(model, data)
    if not check["same_predictions"] or check["max_score_difference"] > 1e-9:
        raise SystemExit(f"{task.name}: numpy runtime differs from sklearn: {check}")
    report = {"runtime_check": check, "features": int(model.classifier.coef_.shape[1])}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        path = out / task.model_file
        np.savez_compressed(path, **model.export())
        report["file"] = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
        report["bytes"] = path.stat().st_size
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODELS)
    parser.add_argument("--no-export", action="store_true", help="cross-validate only")
    parser.add_argument("--no-cv", action="store_true", help="export only (figures known)")
    parser.add_argument("--tasks", nargs="*", default=list(TASKS), choices=list(TASKS))
    args = parser.parse_args(argv)
    results = {}
    for name in args.tasks:
        task = TASKS[name]
        data = load_examples(args.data, task)
        results[name] = {}
        if not args.no_cv:
            started = time.perf_counter()
            cv = cross_validate(data, task, args.folds)
            print(f"== {name}: {len(data.labels)} utterances, {cv['transcripts']} transcripts")
            print(f"   group {args.folds}-fold by transcript_id (out-of-fold, pooled):")
            positive_f1 = cv[f"{task.positive}_f1"]
            print(
                f"   macro-F1 {cv['macro_f1']:.3f}  {task.positive} F1 {positive_f1:.3f}"
                f"  accuracy {cv['accuracy']:.3f}"
            )
            print(
                "   per class: " + ", ".join(f"{c} {f:.3f}" for c, f in cv["per_class_f1"].items())
            )
            print(
                f"   majority baseline ({cv['majority_class']}): "
                f"macro-F1 {cv['majority_macro_f1']:.3f}"
                f"   [{time.perf_counter() - started:.1f} s]"
            )
            results[name]["cross_validated"] = cv
        if not args.no_export:
            shipped = train_and_export(data, task, args.out)
            print(
                f"   shipped model: {shipped['features']} features, "
                f"{shipped.get('bytes', 0) / 1e6:.2f} MB; runtime check {shipped['runtime_check']}"
            )
            results[name]["shipped"] = shipped
    return results


if __name__ == "__main__":
    main()
