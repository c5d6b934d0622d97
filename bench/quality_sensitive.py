"""Sensitive flags: precision and recall of ``categories_of`` on a labelled set of sentences.

The set (tests/unit/data/sensitive_sentences.csv) was written before the lexicon was changed
for issue 16: about half are sentences a coach would keep out of an email (health,
medication, diagnoses, substance use, protected details), the other half hard negatives —
the lexicon's words meaning something else ("cost breakdown", "diagnose the build", "custody
field", "Ms Patel") or words an ASR engine hears for them ("pills" for "peers").

The benign phrases of `sensitive.py` were written while reading that set, so its figures are
optimistic: a second set (sensitive_sentences_heldout.csv, 40 sentences, 20 hard negatives)
was written afterwards and not tuned on; quote its figures.

Two figures, each beside the lexicon before issue 16 (a frozen copy of its pattern):
* sentence level: a sentence is flagged or not (what the coach sees);
* category level: every (sentence, category) pair, micro-averaged.

A third figure needs no labels: turns flagged on the Zoom calls of the development data
(protocol developers' meetings, where nearly every flag is false: "the lithium" for
Dilithium, "custody columns", "pills" for "peers").

    .venv/bin/python bench/quality_sensitive.py [--zoom ../shared/data/zoom-vtt] [-v]
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))

from coaching.analysis.sensitive import categories_of  # noqa: E402

TABLE = REPO / "tests" / "unit" / "data" / "sensitive_sentences.csv"
HELD_OUT = REPO / "tests" / "unit" / "data" / "sensitive_sentences_heldout.csv"

# The lexicon as it was before issue 16, so the "before" figure stays printable.
_BEFORE = {
    "health": (
        r"cancers?|tumou?rs?|diabet\w*|asthma|heart (attack|condition|disease)|stroke|epilep\w*|"
        r"migraine\w*|chronic pain|surger(y|ies)|(an|my|the) operation|hospital\w*|chemo\w*|"
        r"illness|sick leave|disabilit\w*|injur\w*|covid|long covid|pregnan\w*|miscarriage|ivf|"
        r"fertility|menopause|blood pressure|cholesterol|allerg\w*|arthritis|"
        r"multiple sclerosis|\bms\b|hiv|dementia|alzheimer\w*|parkinson\w*"
    ),
    "mental_health": (
        r"depress\w*|anxiety disorder|panic attacks?|ptsd|trauma\w*|bipolar|"
        r"schizo\w*|ocd|adhd|autis\w*|eating disorder|anorexi\w*|bulimi\w*|self[- ]harm|"
        r"suicid\w*|burn(ed|t)?[- ]?out|therap(y|ies|ists?)|psychiatr\w*|counsell?(or|ing)|"
        r"mental health|breakdown"
    ),
    "medication": (
        r"medication|medicine|prescri\w*|antidepressant\w*|ssri\w*|sertraline|prozac|"
        r"fluoxetine|xanax|lithium|insulin|ritalin|adderall|painkiller\w*|opioid\w*|"
        r"pills?|dosage|\bdose\b"
    ),
    "diagnosis": r"diagnos\w*|my doctor|\bgp\b|specialist|test results|biopsy|scan results",
    "substance_use": (
        r"alcohol\w*|drinking problem|addict\w*|rehab|sober|sobriety|relapse\w*|"
        r"cocaine|heroin|cannabis|marijuana|\bweed\b|gambling problem"
    ),
    "protected": (
        r"religio\w*|church|mosque|synagogue|temple|pray\w*|\bgay\b|lesbian|bisexual|"
        r"transgender|\btrans\b|sexual\w*|immigration status|visa status|criminal record|"
        r"arrest\w*|divorce\w*|custody|domestic (abuse|violence)|union member\w*"
    ),
}
_BEFORE_PATTERNS = {name: re.compile(rf"\b({body})\b", re.I) for name, body in _BEFORE.items()}


def categories_before(text: str) -> list[str]:
    return [name for name, pattern in _BEFORE_PATTERNS.items() if pattern.search(text)]


def load_rows(table: Path = TABLE) -> list[dict[str, str]]:
    with table.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def expected_categories(row: dict[str, str]) -> set[str]:
    return {c for c in row["expected"].split(";") if c}


def scores(rows: list[dict[str, str]], flagger: Callable[[str], list[str]]) -> dict[str, float]:
    """Sentence-level and category-level precision, recall and F1."""
    tp = fp = fn = ctp = cfp = cfn = 0
    for row in rows:
        want, got = expected_categories(row), set(flagger(row["text"]))
        tp += bool(want) and bool(got)
        fp += not want and bool(got)
        fn += bool(want) and not got
        ctp += len(want & got)
        cfp += len(got - want)
        cfn += len(want - got)
    return {
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "category_precision": _ratio(ctp, ctp + cfp),
        "category_recall": _ratio(ctp, ctp + cfn),
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def sensitive_report(zoom: Path | None = None) -> dict[str, str]:
    """Both sets: the development one and the held-out one (quote the latter); with ``zoom``,
    the turns flagged on its calls."""
    report: dict[str, str] = {}
    for label, table in (("development", TABLE), ("held-out", HELD_OUT)):
        rows = load_rows(table)
        positives = sum(bool(expected_categories(row)) for row in rows)
        report[f"{label} sentences"] = (
            f"{len(rows)} ({positives} sensitive, {len(rows) - positives} not)"
        )
        now, before = scores(rows, categories_of), scores(rows, categories_before)
        for key in now:
            report[f"{label} {key}"] = f"{now[key]:.3f}   (before issue 16: {before[key]:.3f})"
    if zoom is not None and zoom.is_dir():
        from coaching.parsing import parse_transcript

        calls = sorted(zoom.glob("*.vtt"))
        turns = [t.text for c in calls for t in parse_transcript(c.read_bytes(), c.name).turns]
        now_flags = sum(bool(categories_of(t)) for t in turns)
        before_flags = sum(bool(categories_before(t)) for t in turns)
        report["zoom calls flagged turns"] = (
            f"{now_flags} of {len(turns)} turns in {len(calls)} calls"
            f"   (before issue 16: {before_flags})"
        )
    return report


def main() -> None:
    zoom = REPO.parent / "shared" / "data" / "zoom-vtt"
    if "--zoom" in sys.argv:
        zoom = Path(sys.argv[sys.argv.index("--zoom") + 1])
    for key, value in sensitive_report(zoom).items():
        print(f"  {key:<20} {value}")
    rows = load_rows(TABLE) + load_rows(HELD_OUT)
    if "-v" in sys.argv:
        for row in rows:
            want, got = expected_categories(row), set(categories_of(row["text"]))
            if want != got:
                print(f"  {sorted(want)!s:<32} got {sorted(got)!s:<32} {row['text']}")


if __name__ == "__main__":
    main()
