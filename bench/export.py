"""Export benchmark: rows per second and peak memory of `run_export` for 10,000 and 100,000
synthetic sessions, per format.

A fresh embedded PostgreSQL (migrations applied) gets one organization per size, generated
in SQL (generate_series, no Python row loop): a coach, a client per four sessions, and per
session a coach and a client participant, two turns, the client's analysis and an approved
summary (two wins, a challenge, a recommendation, two action items with due dates). So each
client has four sessions in a row, and every action item but the last session's is judged
kept or not from the next session's turns, as a real export judges it.

Each measurement runs in a child process (the export's ports over the same database), so
its peak resident memory (ru_maxrss) is its own: the figure to compare between 10,000 and
100,000 sessions is the growth over the child's baseline before the export (streaming:
it should not grow with the sessions). Files go to a temporary folder.

    .venv/bin/python bench/export.py [--sizes 10000,100000] [--formats json,jsonl,csv,parquet]

Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))
sys.path.insert(0, str(REPO))

FORMATS = ("json", "jsonl", "csv", "parquet")
SESSIONS_PER_CLIENT = 4

# One statement per table, each a generate_series over the session number i (1..n); ids
# are md5 uuids of the organization and i, so the statements agree without a join.
_GENERATE = [
    "INSERT INTO coaches (id, organization_id, email, name)"
    " VALUES (%(coach)s, %(org)s, 'bench-' || %(tag)s || '@example.org', 'Bench Coach')",
    "INSERT INTO clients (id, organization_id, name, status, tags)"
    " SELECT md5(%(tag)s || 'c' || c)::uuid, %(org)s, 'Client ' || c, 'active', '{bench}'"
    " FROM generate_series(1, %(clients)s) c",
    "INSERT INTO sessions (id, organization_id, coach_id, coach_name, session_date,"
    " session_type, source_name, transcript_key, content_sha256, format, timing,"
    " duration_seconds, participant_count, processing_status, session_summary,"
    " created_at, updated_at)"
    " SELECT md5(%(tag)s || 's' || i)::uuid, %(org)s, %(coach)s, 'Bench Coach',"
    " DATE '2024-01-01' + (i / 40), 'individual', 'bench-' || i || '.vtt', 'bench/' || i,"
    " md5(%(tag)s || 'h' || i) || md5(%(tag)s || 'g' || i), 'zoom_vtt', 'cues', 3600, 2,"
    " 'completed', 'A steady session about planning the quarter.',"
    " now() - interval '1 day', now() - interval '1 day'"
    " FROM generate_series(1, %(n)s) i",
    "INSERT INTO session_participants (organization_id, session_id, position, name, role,"
    " speaking_time_seconds, speaking_share, turns, word_count, client_id)"
    " SELECT %(org)s, md5(%(tag)s || 's' || i)::uuid, p, CASE p WHEN 0 THEN 'Bench Coach'"
    " ELSE 'Client ' || ((i - 1) %% %(clients)s + 1) END, CASE p WHEN 0 THEN 'coach'"
    " ELSE 'client' END, 1200, 0.5, 10, 900, CASE p WHEN 0 THEN NULL"
    " ELSE md5(%(tag)s || 'c' || ((i - 1) %% %(clients)s + 1))::uuid END"
    " FROM generate_series(1, %(n)s) i, generate_series(0, 1) p",
    "INSERT INTO session_turns (organization_id, session_id, turn_index, speaker,"
    " start_seconds, end_seconds, text)"
    " SELECT %(org)s, md5(%(tag)s || 's' || i)::uuid, t, CASE t WHEN 0 THEN 'Bench Coach'"
    " ELSE 'Client ' || ((i - 1) %% %(clients)s + 1) END, t * 10, t * 10 + 9,"
    " CASE t WHEN 0 THEN 'How did the week go?'"
    " ELSE 'I sent the budget proposal to my director, but I did not book the mentoring"
    " session.' END"
    " FROM generate_series(1, %(n)s) i, generate_series(0, 1) t",
    "INSERT INTO client_sessions (id, organization_id, client_id, session_id,"
    " speaking_time_seconds, engagement_level, priority_score, breakthroughs)"
    " SELECT md5(%(tag)s || 'x' || i)::uuid, %(org)s,"
    " md5(%(tag)s || 'c' || ((i - 1) %% %(clients)s + 1))::uuid,"
    " md5(%(tag)s || 's' || i)::uuid, 1200, 'medium', 0.4, '[]'"
    " FROM generate_series(1, %(n)s) i",
    "INSERT INTO summaries (id, organization_id, client_session_id, wins, challenges,"
    " action_items, coach_recommendations, ai_version, approved_at, created_at, updated_at)"
    " SELECT md5(%(tag)s || 'y' || i)::uuid, %(org)s, md5(%(tag)s || 'x' || i)::uuid,"
    ' \'[{"text": "Finished the hiring plan.", "evidence": [1]},'
    '   {"text": "Spoke up in the leadership meeting.", "evidence": [1]}]\','
    ' \'[{"text": "Finding time for deep work.", "evidence": [1]}]\','
    ' \'[{"text": "I will send the budget proposal to my director by Friday.",'
    '    "evidence": [1], "owner": "Client", "due": "2024-02-02",'
    '    "due_phrase": "by Friday"},'
    '   {"text": "I will book a mentoring session with Olu.", "evidence": [1],'
    '    "owner": "Client"}]\','
    ' \'[{"text": "Block two mornings a week.", "evidence": [0]}]\','
    ' \'{"priority_reasons": [{"code": "no_win", "label": "No win"}]}\','
    " now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'"
    " FROM generate_series(1, %(n)s) i",
]


def generate(platform, sessions: int) -> uuid.UUID:
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"bench {sessions}")
    parameters = {
        "org": org,
        "tag": str(org),
        "coach": uuid.uuid4(),
        "n": sessions,
        "clients": max(1, sessions // SESSIONS_PER_CLIENT),
    }
    with platform.ports.database.transaction() as conn:
        for statement in _GENERATE:
            conn.execute(statement, parameters)
    with platform.ports.database.transaction() as conn:
        conn.execute("ANALYZE")
    return org


def child(url: str, org: uuid.UUID, format: str, out: Path) -> None:
    """One export in this process; prints its figures as JSON."""
    os.environ["COACH_DATABASE_URL"] = url
    from coaching.adapters.local.export_files import LocalExportFiles
    from coaching.composition import build_ports
    from coaching.config import get_settings
    from coaching.usecases.export_run import ExportRequest, run_export

    ports = build_ports(get_settings())
    deps = ports.export_ports
    deps.runs.list_runs(org, limit=1)  # the pool connected, everything imported
    import pyarrow  # noqa: F401 - imported before the baseline, as a warm function has it

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    request = ExportRequest(
        organization_id=org,
        actor="system:bench",
        coach_ids=None,
        format=format,  # type: ignore[arg-type]
    )
    started = time.perf_counter()
    manifest = run_export(deps, request, LocalExportFiles(out))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(
        json.dumps(
            {
                "rows": sum(manifest.row_counts.values()),
                "row_counts": manifest.row_counts,
                "seconds": seconds,
                "baseline_mb": baseline,
                "peak_mb": peak,
                "bytes": size,
            }
        )
    )
    ports.close()


def measure(url: str, org: uuid.UUID, format: str, folder: Path) -> dict:
    out = folder / f"{org}-{format}"
    result = subprocess.run(  # noqa: S603 - this script, with our own arguments
        [sys.executable, __file__, "--child", url, str(org), format, str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=4, metavar=("URL", "ORG", "FORMAT", "OUT"))
    arguments = parser.parse_args()
    if arguments.child:
        url, org, format, out = arguments.child
        child(url, uuid.UUID(org), format, Path(out))
        return
    sizes = [int(size) for size in arguments.sizes.split(",")]
    formats = arguments.formats.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as home:
        os.environ["COACH_HOME"] = home
        os.environ.pop("COACH_DATABASE_URL", None)
        from coaching.config import get_settings
        from local_runtime.platform import start_local_platform

        platform = start_local_platform(get_settings(), log_level="ERROR")
        try:
            url = platform.settings.database_url
            assert url, "the local platform names its database"
            print(
                f"{'sessions':>9} {'format':<8} {'rows':>8} {'seconds':>8} {'rows/s':>8}"
                f" {'MB out':>7} {'peak MB':>8} {'growth MB':>9}"
            )
            for sessions in sizes:
                started = time.perf_counter()
                org = generate(platform, sessions)
                print(
                    f"# {sessions} sessions generated in {time.perf_counter() - started:.1f} s",
                    file=sys.stderr,
                )
                for format in formats:
                    figures = measure(url, org, format, Path(home))
                    growth = figures["peak_mb"] - figures["baseline_mb"]
                    print(
                        f"{sessions:>9} {format:<8} {figures['rows']:>8}"
                        f" {figures['seconds']:>8.1f} {figures['rows'] / figures['seconds']:>8.0f}"
                        f" {figures['bytes'] / 2**20:>7.1f} {figures['peak_mb']:>8.0f}"
                        f" {growth:>9.1f}",
                        flush=True,
                    )
        finally:
            platform.close()


if __name__ == "__main__":
    main()
