"""Quality of the shipped talk-type and coach-behaviour classifiers, measured on AnnoMI.

The shipped models are trained on all of the AnnoMI development set, so scoring them on it
says little. The figure to quote is the GROUP k-fold one: for each fold the same training
code (bench/train_talk_classifiers.py) retrains on the other transcripts and labels the
held-out ones; no transcript is in both. The shipped runtime's score on the same data is
printed too, labelled in-sample (optimistic).

    .venv/bin/python bench/quality_annomi.py [--data ../shared/data/annomi] [--folds 5]

Needs scikit-learn (a dev requirement) for the retraining.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for folder in (HERE, REPO / "layers"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import train_talk_classifiers as training  # noqa: E402

from coaching.analysis import talk  # noqa: E402

DEFAULT_DIR = REPO.parent / "shared" / "data" / "annomi"
DEV_FILE = "AnnoMI-simple-dev.csv"
# Group 5-fold macro-F1 of the models shipped before issue 16 (same protocol), and its aims.
BEFORE_ISSUE_16 = {"client": 0.496, "coach": 0.737}
AIM = {"client": 0.58, "coach": 0.76}
RUNTIME = {
    "client": talk.classify_client_utterances,
    "coach": talk.classify_coach_utterances,
}


def annomi_report(data_dir: Path, folds: int = 5) -> dict:
    """Per task: group k-fold figures (the ones to quote) and the shipped model in-sample."""
    path = Path(data_dir) / DEV_FILE
    report: dict = {"data": str(path), "folds": folds}
    for name, task in training.TASKS.items():
        data = training.load_examples(path, task)
        cross_validated = training.cross_validate(data, task, folds)
        shipped = RUNTIME[name](data.texts, data.previous, data.following)
        in_sample = training.scores(data.labels, list(shipped), task.positive)
        report[name] = {
            "task": "client talk type" if name == "client" else "coach behaviour",
            "group_kfold": cross_validated,
            "macro_f1_vs_baseline": (
                f"{cross_validated['macro_f1']:.3f} (before issue 16: {BEFORE_ISSUE_16[name]:.3f},"
                f" aim {AIM[name]:.2f})"
            ),
            "in_sample_optimistic": in_sample,
        }
    return report


def _print(report: dict) -> None:
    print(f"AnnoMI: {report['data']}")
    for name in training.TASKS:
        entry = report[name]
        cv, fit = entry["group_kfold"], entry["in_sample_optimistic"]
        positive = training.TASKS[name].positive
        print(f"\n{entry['task']} ({cv['n']} utterances, {cv['transcripts']} transcripts)")
        print(f"  group {report['folds']}-fold by transcript (quote this):")
        print(
            f"    macro-F1 {cv['macro_f1']:.3f}   {positive} F1 {cv[f'{positive}_f1']:.3f}"
            f"   accuracy {cv['accuracy']:.3f}"
        )
        print(f"    macro-F1 beside its baseline: {entry['macro_f1_vs_baseline']}")
        print("    per class: " + ", ".join(f"{c} {f:.3f}" for c, f in cv["per_class_f1"].items()))
        print(
            f"    majority baseline ({cv['majority_class']}):"
            f" macro-F1 {cv['majority_macro_f1']:.3f}"
        )
        print("  shipped model on its own training data, in-sample (optimistic):")
        print(f"    macro-F1 {fit['macro_f1']:.3f}   {positive} F1 {fit[f'{positive}_f1']:.3f}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DIR, help="folder of " + DEV_FILE)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = annomi_report(args.data, args.folds)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return report


if __name__ == "__main__":
    main()
