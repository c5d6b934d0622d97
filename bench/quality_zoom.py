"""Zoom VTT quality: speaker sets and speaking shares against an independent reading.

The independent reading uses webvtt-py directly: each cue's speaker is the text before its
first ': ', its time is the cue's duration. Our participants are compared with aliases
expanded (one person who joined under two spellings counts for both names).
"""

from __future__ import annotations

import json
import re
import statistics
import zlib
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


# --- action items against the calls' published notes ------------------------------------------

WINDOW_SECONDS = 90  # an item is found when one of ours cites a turn this close to it
_KEYWORD_CUE = re.compile(r"\b(will|going to|let'?s|follow up|review)\b", re.IGNORECASE)
_GROUP_WORDS = frozenset("all everyone everybody teams team clients client groups folks".split())


def is_held_out(path: Path) -> bool:
    """Series set aside before any rule was written: crc32 of the series name % 3 == 0
    (fcr, focil, pqtransactionsignatures, rpcstandards, zkevm and the one-offs)."""
    return zlib.crc32(path.name.split("__")[0].encode()) % 3 == 0


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = (int(part) for part in stamp.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def listed_items(notes_path: Path, kind: str = "action_items") -> list[tuple[float, str]]:
    """(seconds into the call, owner) of each action item (or decision) the notes list."""
    notes = json.loads(notes_path.read_text(encoding="utf-8"))
    return [
        (_seconds(item["timestamp"]), item.get("owner") or "")
        for item in notes.get(kind, [])
        if item.get("timestamp")
    ]


def _name_words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.casefold()) if len(word) > 1}


def owner_agrees(ours: str | None, listed: str) -> bool:
    """A person's name shares a word with the listed owner; a group owner ("All client
    teams", "everyone") agrees with a listed owner naming a group."""
    if not ours:
        return False
    mine, theirs = _name_words(ours), _name_words(listed)
    if mine & _GROUP_WORDS:
        return bool(theirs & _GROUP_WORDS)
    return bool((mine - _GROUP_WORDS) & theirs)


def score_items(
    ours: list[tuple[float, str | None]], listed: list[tuple[float, str]]
) -> tuple[int, int, int, int]:
    """(listed found, ours near a listed one, owners right among the found, ours) of one call.
    The owner is judged on the nearest of our items to the listed one."""
    found = owners = 0
    for at, owner in listed:
        near = [(abs(t - at), o) for t, o in ours if abs(t - at) <= WINDOW_SECONDS]
        if near:
            found += 1
            owners += owner_agrees(min(near, key=lambda pair: pair[0])[1], owner)
    precise = sum(any(abs(t - at) <= WINDOW_SECONDS for at, _ in listed) for t, _ in ours)
    return found, precise, owners, len(ours)


_DECISION_CUE = re.compile(r"\b(agree\w*|decid\w*|decision|consensus)\b", re.IGNORECASE)


def keyword_baseline(
    path: Path, cue: re.Pattern[str] = _KEYWORD_CUE
) -> list[tuple[float, str | None]]:
    """Every cue with "will / going to / let's / follow up / review", owned by its speaker."""
    items: list[tuple[float, str | None]] = []
    for caption in webvtt.read(str(path)):
        match = _NAMED.match(caption.text)
        if cue.search(caption.text):
            items.append((caption.start_in_seconds, match.group(1).strip() if match else None))
    return items


def action_items_report(
    data_dir: Path, extract, kind: str = "action_items", baseline_cue=_KEYWORD_CUE
) -> dict:
    """`extract(path) -> [(seconds, owner)]` lists our action items of one call. Recall,
    precision (a lower bound: the notes list the main items only) and owner accuracy, ours
    beside the keyword baseline, on the development files and the held-out ones apart.
    ``kind="decisions"`` scores decisions the same way (their owners mean nothing)."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for notes_path in sorted(data_dir.glob("*.notes.json")):
        path = notes_path.with_name(notes_path.name.removesuffix(".notes.json") + ".vtt")
        listed = listed_items(notes_path, kind)
        split = "held-out" if is_held_out(path) else "development"
        runs = (("ours", extract(path)), ("keyword baseline", keyword_baseline(path, baseline_cue)))
        for method, items in runs:
            found, precise, owners, count = score_items(items, listed)
            for key in ((method, split), (method, "all")):
                total = totals[key]
                total[0] += found
                total[1] += precise
                total[2] += owners
                total[3] += count
                total[4] += len(listed)
    report: dict = {}
    for split in ("development", "held-out", "all"):
        for method in ("ours", "keyword baseline"):
            found, precise, owners, count, listed_count = totals[(method, split)]
            prefix = f"{split} {method}"
            report[f"{prefix} recall"] = found / listed_count if listed_count else 0.0
            report[f"{prefix} precision"] = precise / count if count else 0.0
            if kind == "action_items":
                report[f"{prefix} owner accuracy"] = owners / found if found else 0.0
            report[f"{prefix} items (listed {listed_count})"] = count
    return report


def offline_analysis(path: Path) -> tuple[list, list]:
    """Our action items and decisions of one call, from the offline analysis as the pipeline
    runs it (aliases merged, the facilitator found, every client analysed, the session's
    group items), without the saga around it: (seconds of each first evidence turn, owner)."""
    from coaching.analysis.coach_detection import identify_coach
    from coaching.analysis.decisions import find_decisions, find_shared_action_items
    from coaching.analysis.offline import OfflineAnalyzer
    from coaching.analysis.participants import merge_aliases
    from coaching.analysis.speaking import speaking_stats
    from coaching.domain.transcript import UNKNOWN_SPEAKER
    from coaching.parsing import parse_transcript

    transcript, aliases = merge_aliases(parse_transcript(path.read_bytes(), path.name))
    coach = identify_coach(transcript).name
    speakers = speaking_stats(transcript, coach, aliases)
    starts = {turn.index: turn.start or 0.0 for turn in transcript.turns}
    analyzer = OfflineAnalyzer()
    items: list[tuple[float, str | None]] = []
    for stats in speakers:
        if stats.role != "client" or stats.name == UNKNOWN_SPEAKER:
            continue
        analysis = analyzer.analyze_client(transcript, stats.name, coach, speakers)
        items.extend((starts[i.evidence[0]], i.owner) for i in analysis.summary.action_items)
    items.extend(
        (starts[i.evidence[0]], i.owner) for i in find_shared_action_items(transcript, coach)
    )
    decisions = [(starts[d.evidence[0]], None) for d in find_decisions(transcript, coach)]
    return items, decisions


def offline_action_items(path: Path) -> list[tuple[float, str | None]]:
    return offline_analysis(path)[0]


def offline_decisions(path: Path) -> list[tuple[float, str | None]]:
    return offline_analysis(path)[1]
