"""Zoom VTT quality: speaker sets and speaking shares against an independent reading.

The independent reading uses webvtt-py directly: each cue's speaker is the text before its
first ': ', its time is the cue's duration. Our participants are compared with aliases
expanded (one person who joined under two spellings counts for both names).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from pathlib import Path

import webvtt

_NAMED = re.compile(r"^([^:\n]{1,60}): ")


def independent_shares(path: Path) -> dict[str, float]:
    seconds: dict[str, float] = defaultdict(float)
    for caption in webvtt.read(str(path)):
        match = _NAMED.match(caption.text)
        name = match.group(1).strip() if match else "Unknown speaker"
        seconds[name] += caption.end_in_seconds - caption.start_in_seconds
    total = sum(seconds.values()) or 1.0
    return {name: value / total for name, value in seconds.items()}


def zoom_report(data_dir: Path, process) -> dict:
    """`process(path) -> participants` runs our pipeline on one file."""
    f1s, errors = [], []
    for path in sorted(data_dir.glob("*.vtt")):
        truth = independent_shares(path)
        participants = process(path)
        owner = {n: p["name"] for p in participants for n in [p["name"], *p.get("aliases", [])]}
        ours = set(owner)
        hits = len(ours & set(truth))
        precision = hits / len(ours) if ours else 0.0
        recall = hits / len(truth) if truth else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if hits else 0.0)
        grouped: dict[str, float] = defaultdict(float)
        for name, share in truth.items():
            grouped[owner.get(name, name)] += share
        mine = {p["name"]: p["speaking_share"] for p in participants}
        errors.extend(abs(mine.get(name, 0.0) - share) for name, share in grouped.items())
    return {
        "files": len(f1s),
        "speaker_set_f1": statistics.mean(f1s) if f1s else 0.0,
        "share_mae_points": 100 * statistics.mean(errors) if errors else 0.0,
        "share_max_error_points": 100 * max(errors) if errors else 0.0,
    }
