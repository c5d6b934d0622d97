"""Pipeline benchmark: every Zoom transcript of the development set through the real saga.

Prints per-session latency (p50/p95), batch throughput (sessions/min), the batch's CPU time
per session and peak memory.
Engine start (embedded PostgreSQL, migrations, state machine) is timed apart, once.

    .venv/bin/python bench/pipeline.py [--data ../shared/data/zoom-vtt] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def is_long_group_call(data: bytes) -> bool:
    """At least 50 minutes of cues and 8 named speakers: the size the target is set for."""
    text = data.decode("utf-8", "replace")
    stamps = re.findall(r"(\d+):(\d\d):(\d\d)\.\d+ -->", text)
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in stamps]
    speakers = set(re.findall(r"-->.*\n([^:\n]{1,60}): ", text))
    return bool(seconds) and max(seconds) - min(seconds) >= 50 * 60 and len(speakers) >= 8


def postgres_rss_mb() -> float:
    import psutil

    total = 0
    for process in psutil.process_iter(["name", "memory_info"]):
        if process.info["name"] and process.info["name"].startswith("postgres"):
            total += process.info["memory_info"].rss
    return total / 2**20


def analysis_seconds(data: bytes, name: str) -> float:
    """The offline analysis alone (no database, no saga): parse excluded, models warm."""
    from coaching.analysis.coach_detection import identify_coach
    from coaching.analysis.offline import OfflineAnalyzer
    from coaching.analysis.participants import merge_aliases
    from coaching.analysis.sensitive import flag_turns
    from coaching.analysis.speaking import speaking_stats
    from coaching.analysis.supervision import supervision_metrics
    from coaching.analysis.talk import label_turns
    from coaching.parsing import parse_transcript

    parsed = parse_transcript(data, name)
    began = time.perf_counter()
    transcript, aliases = merge_aliases(parsed)
    coach = identify_coach(transcript).name
    speakers = speaking_stats(transcript, coach, aliases)
    labels = label_turns(transcript, coach)
    flag_turns(transcript.turns)
    supervision_metrics(transcript, coach, speakers, labels)
    analyzer = OfflineAnalyzer()
    for stats in speakers:
        if stats.role == "client":
            analyzer.analyze_client(transcript, stats.name, coach, speakers, None, labels)
    analyzer.summarize_session(transcript, coach, speakers)
    return time.perf_counter() - began


def analysis_alone(files: list[Path]) -> list[float]:
    """Analysis alone, on the calls the target is set for (a first run warms the models)."""
    analysis_seconds(files[0].read_bytes(), files[0].name)
    return [
        analysis_seconds(path.read_bytes(), path.name)
        for path in files
        if is_long_group_call(path.read_bytes())
    ]


def seconds_for_all(run: Callable[[Path], object], files: list[Path], workers: int) -> float:
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, files))
    return time.perf_counter() - began


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seconds_and_cpu(work) -> tuple[float, float]:
    """What ``work`` returns (its seconds) and the CPU seconds this process spent on it: CPU
    per session barely depends on what else the machine runs, unlike the rates."""
    began = time.process_time()
    seconds = work()
    return seconds, time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "zoom-vtt")
    parser.add_argument("--workers", type=int, default=2, help="concurrent sessions in batch")
    args = parser.parse_args()
    files = sorted(args.data.glob("*.vtt"))
    if not files:
        sys.exit(f"no .vtt files in {args.data}")

    home = tempfile.mkdtemp(prefix="coach-bench-")
    os.environ["COACH_HOME"] = home
    os.environ.pop("COACH_DATABASE_URL", None)
    from coaching.config import get_settings
    from coaching.usecases.submit_transcript import process_transcript
    from local_runtime.platform import start_local_platform

    started = time.perf_counter()
    platform = start_local_platform(get_settings(), log_level="ERROR")
    engine_start = time.perf_counter() - started
    org = platform.settings.default_organization_id

    def run(path: Path, salt: str) -> tuple[str, float, int]:
        # A salt line keeps every run distinct, so duplicate detection never short-cuts it.
        data = path.read_bytes() + f"\n\nNOTE bench {salt}\n".encode()
        began = time.perf_counter()
        process_transcript(platform.deps, platform.workflow, org, data, path.name)
        return path.name, time.perf_counter() - began, data.count(b"-->")

    analysis = analysis_alone(files)
    # Latency: one session at a time.
    latencies = [run(path, "latency") for path in files]
    seconds = [row[1] for row in latencies]
    largest = max(latencies, key=lambda row: row[2])
    long_calls = [
        row[1]
        for row, path in zip(latencies, files, strict=True)
        if is_long_group_call(path.read_bytes())
    ]
    # Throughput: the whole set again, several at a time.
    batch_seconds, batch_cpu = seconds_and_cpu(
        lambda: seconds_for_all(lambda path: run(path, "batch"), files, args.workers)
    )

    print(f"transcripts                 {len(files)} (Zoom VTT, {args.data})")
    print(f"engine start (once)         {engine_start:.2f} s")
    print(
        f"latency p50 / p95 / max     {statistics.median(seconds):.3f} / "
        f"{percentile(seconds, 0.95):.3f} / {max(seconds):.3f} s"
    )
    if analysis:
        print(
            f"offline analysis, long calls p50 {statistics.median(analysis):.3f} s, "
            f"max {max(analysis):.3f} s (model load excluded)"
        )
    if long_calls:
        print(
            f"60-min, ~10-speaker calls   {len(long_calls)}: p50 "
            f"{statistics.median(long_calls):.3f} s, p95 {percentile(long_calls, 0.95):.3f} s"
        )
    print(f"largest transcript          {largest[0]}: {largest[2]} cues in {largest[1]:.3f} s")
    print(
        f"batch ({args.workers} workers)           "
        f"{len(files) / batch_seconds * 60:.0f} sessions/min"
    )
    print(f"batch CPU per session       {batch_cpu / len(files):.3f} s (this process)")
    print(
        f"peak RSS                    {peak_rss_mb():.0f} MB (this process) + "
        f"{postgres_rss_mb():.0f} MB (PostgreSQL processes now, shared buffers counted in each)"
    )


if __name__ == "__main__":
    main()
