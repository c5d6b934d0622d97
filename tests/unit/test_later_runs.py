"""A failed run in support's list says how its redrives and replays stand."""

from __future__ import annotations

import datetime as dt

from coaching.ports.executions import ExecutionSummary
from coaching.usecases.execution_listing import with_later_runs

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def run(name: str, status: str, minutes: int) -> ExecutionSummary:
    return ExecutionSummary(name=name, status=status, started_at=T0 + dt.timedelta(minutes=minutes))


class Listed:
    """The runtime's list: every run since a time, newest first."""

    def __init__(self, runs: list[ExecutionSummary]) -> None:
        self.runs = runs
        self.asked: list[dt.datetime | None] = []

    def list(self, status=None, since=None, limit=100):
        self.asked.append(since)
        kept = [r for r in self.runs if since is None or r.started_at >= since]
        return sorted(kept, key=lambda r: r.started_at, reverse=True)[:limit]


def test_a_failed_run_shows_its_newest_later_run_of_the_same_first_run():
    everything = [
        run("s1", "FAILED", 0),
        run("s1-redrive-1", "FAILED", 5),  # a redrive that failed too
        run("s1-redrive-2", "SUCCEEDED", 10),  # its redrive: named from the first run
        run("s2", "FAILED", 3),
        run("s10", "SUCCEEDED", 11),  # another session's run whose name starts the same
        run("s3-replay-1", "RUNNING", 12),
        run("s3", "FAILED", 1),
    ]
    support = Listed(everything)
    failed = [r for r in everything if r.status == "FAILED"]
    shown = {r.name: (r.later_run, r.later_run_status) for r in with_later_runs(support, failed)}
    assert shown == {
        "s1": ("s1-redrive-2", "SUCCEEDED"),
        "s1-redrive-1": ("s1-redrive-2", "SUCCEEDED"),
        "s2": (None, None),  # nothing since: still needs someone
        "s3": ("s3-replay-1", "RUNNING"),
    }
    assert support.asked == [T0]  # one read, from the oldest failed run


def test_a_list_without_failed_runs_reads_nothing_more():
    support = Listed([run("s1", "SUCCEEDED", 0)])
    assert with_later_runs(support, support.list()) == [run("s1", "SUCCEEDED", 0)]
    assert support.asked == [None]
