"""How long the offline whole-session overview takes on the longest real meetings.

Times coaching.analysis.session_summary.session_overview (best and median of five runs) on
the longest QMSum meetings, the figure the tests used to assert and must not: wall-clock
time belongs here, where a busy machine makes a slow reading, not a failed build.

    .venv/bin/python bench/session_summary.py [--data ../shared/data/qmsum] [--meetings 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))
sys.path.insert(0, str(REPO / "bench"))

from quality_qmsum import DEFAULT_DATA, load  # noqa: E402

from coaching.analysis.session_summary import session_overview  # noqa: E402

RUNS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--meetings", type=int, default=5)
    args = parser.parse_args()
    meetings = [load(path)[0] for path in sorted(args.data.glob("*.json"))]
    longest = sorted(meetings, key=lambda m: sum(t.words for t in m.turns), reverse=True)
    print(f"{'turns':>6} {'words':>7} {'speakers':>8} {'best ms':>8} {'median ms':>9}")
    for meeting in longest[: args.meetings]:
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            session_overview(meeting, None)
            times.append((time.perf_counter() - started) * 1000)
        speakers = len({turn.speaker for turn in meeting.turns})
        words = sum(turn.words for turn in meeting.turns)
        print(
            f"{len(meeting.turns):>6} {words:>7} {speakers:>8} "
            f"{min(times):>8.0f} {statistics.median(times):>9.0f}"
        )


if __name__ == "__main__":
    main()
