"""Saga benchmark: the local engine's overhead per execution, and executions/min with a mix
of succeeding and failing runs through the real handlers.

(a) Engine overhead: the six pipeline steps bound to trivial handlers, N executions through
    the platform's workflow (start + wait, run recorded in PostgreSQL as it starts and ends),
    and the same through a workflow that records nothing: interpreter + binding alone.
(b) Throughput: small synthetic transcripts (3 speakers, unique content) with the real
    handlers, 2 at a time; every 3rd is broken (rejected at validation), every 5th fails at
    IndexSession (compensated). Retry waits are skipped.

    .venv/bin/python bench/saga.py [--executions 200] [--transcripts 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

SPEAKERS = ("Maya Chen", "Jordan Reyes", "Priya Nair")
TRIVIAL_RESULTS: dict[str, dict[str, Any]] = {
    "ValidateAndStore": {"turns": 3},
    "ParseTranscript": {"clients": ["A", "B", "C"]},
    "AnalyzeClient": {"ok": True},
    "IndexSession": {"indexed": 3},
    "NotifyCoach": {"sent": True},
    "Compensate": {"removed": {}},
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values) * 1000:8.1f} / {percentile(values, 0.95) * 1000:8.1f} ms"


def engine_overhead(platform, workflow, count: int, label: str) -> list[float]:
    """Start + wait per execution with trivial handlers; unique names, a valid-looking input."""
    org = str(platform.settings.default_organization_id)
    seconds = []
    for _ in range(count):
        session_id = uuid.uuid4()
        payload = {
            "organization_id": org,
            "session_id": str(session_id),
            "transcript_key": f"transcripts/{org}/{session_id}/bench.txt",
            "source_name": "bench.txt",
        }
        name = f"bench-{label}-{uuid.uuid4().hex[:20]}"
        began = time.perf_counter()
        workflow.start(name, payload)
        result = workflow.wait(name)
        seconds.append(time.perf_counter() - began)
        if result.status != "SUCCEEDED":
            raise SystemExit(f"{name} ended {result.status}: {result.error} {result.cause}")
    return seconds


def synthetic_transcript(index: int, salt: str) -> bytes:
    coach, *clients = SPEAKERS
    lines = []
    for turn in range(12):
        lines.append(f"{coach}: Question {turn} for session {index} ({salt}): how did it go?")
        client = clients[turn % 2]
        lines.append(
            f"{client}: Session {index}, turn {turn}: I tried the plan and it went better "
            f"than last week, though the meeting with my manager was still hard."
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def kind_of(index: int) -> str:
    if index % 3 == 0:
        return "broken"
    if index % 5 == 0:
        return "fail"
    return "ok"


def start_platform():
    """The local platform on a fresh home; (platform, seconds it took to start)."""
    home = tempfile.mkdtemp(prefix="coach-bench-saga-")
    os.environ["COACH_HOME"] = home
    os.environ["COACH_DROPBOX"] = os.path.join(home, "dropbox")
    os.environ.pop("COACH_DATABASE_URL", None)
    from coaching.config import get_settings
    from local_runtime.platform import start_local_platform

    started = time.perf_counter()
    platform = start_local_platform(get_settings(), log_level="ERROR")
    engine_start = time.perf_counter() - started
    platform.engine.retry_sleep = lambda seconds: None
    return platform, engine_start


def engine_overheads(platform, executions: int) -> tuple[list[float], list[float]]:
    """(a) Seconds per execution with trivial handlers: (recorded, interpreter + binding)."""
    from coaching.adapters.local.workflow import LocalWorkflow
    from local_runtime.pipeline import pipeline_handlers

    bare = LocalWorkflow(platform.engine)  # no recorder: the interpreter and the binding alone
    for step, result in TRIVIAL_RESULTS.items():
        platform.engine.set_handler(step, lambda event, context, result=result: dict(result))
    engine_overhead(platform, bare, 10, "warm")
    recorded = engine_overhead(platform, platform.workflow, executions, "rec")
    unrecorded = engine_overhead(platform, bare, executions, "bare")
    for step, handler in pipeline_handlers(platform.deps).items():
        platform.engine.set_handler(step, handler)
    return recorded, unrecorded


def throughput(platform, transcripts: int, workers: int) -> tuple[list[tuple], float]:
    """(b) (kind, status, seconds) per run with the real handlers, and the batch's seconds;
    IndexSession fails for "-fail-" sources."""
    from coaching.usecases.submit_transcript import process_transcript

    org = platform.settings.default_organization_id
    real_index = importlib.import_module("functions.index_session.handler").lambda_handler

    def index_or_fail(event, context):
        if "-fail-" in event.get("source_name", ""):
            raise RuntimeError("index unavailable (bench)")
        return real_index(event, context, deps=platform.deps)

    platform.engine.set_handler("IndexSession", index_or_fail)
    salt = uuid.uuid4().hex[:8]
    # One run first so the models are loaded before anything is timed.
    process_transcript(
        platform.deps, platform.workflow, org, synthetic_transcript(-1, salt), "warm-up.txt"
    )

    def run(index: int) -> tuple[str, str, float]:
        kind = kind_of(index)
        if kind == "broken":
            data = bytes(range(256)) * 8 + salt.encode() + index.to_bytes(4, "big")
        else:
            data = synthetic_transcript(index, salt)
        name = f"bench-{index:03d}-{kind}-{salt}.txt"
        began = time.perf_counter()
        submission, result = process_transcript(platform.deps, platform.workflow, org, data, name)
        seconds = time.perf_counter() - began
        status = result.status if result is not None else "DUPLICATE"
        if status == "FAILED":
            session = platform.deps.sessions.get_session(org, submission.session_id)
            status = f"FAILED@{session.failed_step}" if session else status
        return kind, status, seconds

    batch_began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(run, range(1, transcripts + 1)))
    batch_seconds = time.perf_counter() - batch_began
    platform.engine.set_handler(
        "IndexSession", partial(real_index, deps=platform.deps)
    )  # with the ports
    return rows, batch_seconds


def print_throughput(args: argparse.Namespace, rows: list[tuple], batch_seconds: float) -> None:
    statuses = Counter(status.split("@")[0] for _, status, _ in rows)
    by_kind: dict[str, list[float]] = defaultdict(list)
    outcome: dict[str, Counter] = defaultdict(Counter)
    for kind, status, seconds in rows:
        by_kind[kind].append(seconds)
        outcome[kind][status] += 1

    other = len(rows) - statuses["SUCCEEDED"] - statuses["FAILED"]
    print(
        f"(b) real handlers, {args.transcripts} transcripts, {args.workers} workers: "
        f"{len(rows) / batch_seconds * 60:.0f} executions/min "
        f"({batch_seconds:.1f} s; succeeded {statuses['SUCCEEDED']}, "
        f"failed {statuses['FAILED']}, other {other})"
    )
    print(f"    {'kind':<28}{'runs':>5}  {'outcome':<34}p50 / p95 per run")
    labels = {
        "ok": "succeeds",
        "broken": "broken (fails validation)",
        "fail": "fails at IndexSession",
    }
    for kind in ("ok", "broken", "fail"):
        seen = ", ".join(f"{s} {n}" for s, n in sorted(outcome[kind].items()))
        print(f"    {labels[kind]:<28}{len(by_kind[kind]):>5}  {seen:<34}{figures(by_kind[kind])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--transcripts", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    platform, engine_start = start_platform()
    recorded, unrecorded = engine_overheads(platform, args.executions)
    rows, batch_seconds = throughput(platform, args.transcripts, args.workers)

    print(f"engine start (once)                 {engine_start:.2f} s")
    print(f"(a) engine overhead, trivial handlers, {args.executions} executions, p50 / p95")
    print(f"    recorded (platform.workflow)    {figures(recorded)}")
    print(f"    interpreter + binding only      {figures(unrecorded)}")
    print_throughput(args, rows, batch_seconds)


if __name__ == "__main__":
    main()
