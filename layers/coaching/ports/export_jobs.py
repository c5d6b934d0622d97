"""Export jobs: the queue of on-demand and scheduled runs (rows of export_runs), who may have
how many at once, and what starts a queued run.

The API only enqueues and starts: it answers 202 at once. Locally `coach serve` runs the job
on a thread of its own (adapters/local/export_jobs.py); in AWS the export function is invoked
asynchronously with the run's id (x17-aws: a Lambda-invoke adapter of ExportJobStarter).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from coaching.ports.export_runs import ExportRun


@dataclass(frozen=True)
class ClaimedRun:
    """A run this worker took from the queue: nobody else runs it now."""

    organization_id: uuid.UUID
    run: ExportRun


class ExportJobStarter(Protocol):
    def start(self, run_id: uuid.UUID) -> None:
        """Has the queued run ``run_id`` run soon, elsewhere; returns at once."""
        ...


class ExportQueue(Protocol):
    def enqueue(self, run: ExportRun, *, one_at_a_time: bool) -> None:
        """Records ``run`` as queued. ``one_at_a_time``: raises Conflict while its actor has
        another on-demand run queued or running (checked and written under one lock; a run
        left running for hours by a stopped server no longer counts)."""
        ...

    def claim(self, run_id: uuid.UUID) -> ClaimedRun | None:
        """The queued run, now claimed by this worker (still queued: run_export starts it);
        None when another worker claimed it or it ran already. Across organizations: a
        system task."""
        ...

    def queued(self, limit: int) -> list[uuid.UUID]:
        """Queued runs of every organization, oldest first (what a restarted server owes)."""
        ...

    def recent(self, org: uuid.UUID, actor: str | None, limit: int) -> list[ExportRun]:
        """Newest first: ``actor``'s runs, or the organization's (None)."""
        ...
