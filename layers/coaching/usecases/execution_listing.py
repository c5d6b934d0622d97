"""Support staff's view of runs, for people: which file, where a run failed and why.

The runtime's list and history say `SessionProcessingFailed` for every compensated run; the
step and the sentence for people are in the run's own history (the `FailedAt<step>` state
and compensation's `reason`), the file's name in the session. Only what support may see
leaves here: names, steps and our own sentences, never a state's input or output.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from coaching.domain.errors import error_type_names
from coaching.domain.reruns import REDRIVABLE, redrive_cannot_help, rerun_root
from coaching.domain.session import SessionRecord
from coaching.ports.executions import ExecutionDetail, ExecutionSummary, ExecutionSupport
from coaching.ports.workflow import ExecutionStatus
from coaching.usecases.dependencies import Dependencies

_FAILED_AT = "FailedAt"  # the Pass state each step's Catch routes to, naming the step
_FAILING = ("caught", "failed")
_COMPENSATE = "Compensate"


@dataclass(frozen=True)
class RunFailure:
    step: str | None
    error_type: str | None
    reason: str | None


def failure_of(detail: ExecutionDetail) -> RunFailure | None:
    """Where a run failed and why, read off its states; None for a run that did not fail."""
    if detail.status not in REDRIVABLE:
        return None
    first_failing = next((s for s in detail.states if s.status in _FAILING), None)
    caught_at = next(
        (s.name.removeprefix(_FAILED_AT) for s in detail.states if s.name.startswith(_FAILED_AT)),
        None,
    )
    error_type = first_failing.error if first_failing else None
    return RunFailure(
        step=caught_at or (first_failing.name if first_failing else None),
        error_type=error_type,
        reason=_compensation_reason(detail) or _our_message(first_failing),
    )


def _compensation_reason(detail: ExecutionDetail) -> str | None:
    for state in detail.states:
        if state.name == _COMPENSATE and isinstance(state.output, dict):
            reason = (state.output.get("compensation") or {}).get("reason")
            return str(reason) if reason else None
    return None


def _our_message(state: Any) -> str | None:
    """A Lambda error's cause is JSON; its message is for people only when the error is ours."""
    if state is None or state.error not in error_type_names():
        return None
    try:
        cause = json.loads(state.cause or "")
    except ValueError:
        return None
    message = cause.get("errorMessage") if isinstance(cause, dict) else None
    return str(message) if message else None


def described(
    summary: ExecutionSummary,
    failure: RunFailure | None,
    session: SessionRecord | None,
) -> dict[str, Any]:
    """The fields for people, to update an ExecutionSummary (or ExecutionDetail) with."""
    fields: dict[str, Any] = {"file_name": session.source_name if session else None}
    if summary.status not in REDRIVABLE:
        return fields
    step = failure.step if failure else None
    reason = failure.reason if failure else None
    if session is not None and session.processing_status == "failed":
        # A run stopped outside the pipeline (a crash) was compensated at the next start:
        # its step and reason are on the session only.
        step, reason = step or session.failed_step, reason or session.failure_reason
    error_type = failure.error_type if failure else None
    return fields | {
        "failed_step": step,
        "error_type": error_type,
        "reason": reason,
        "redrive_helps": not redrive_cannot_help(error_type),
    }


class _Sessions:
    """Each run's session, read once however many runs it has."""

    def __init__(self, deps: Dependencies, org: uuid.UUID) -> None:
        self._deps, self._org = deps, org
        self._known: dict[str, SessionRecord | None] = {}

    def of(self, run: ExecutionSummary) -> SessionRecord | None:
        if not run.session_id:
            return None
        if run.session_id not in self._known:
            self._known[run.session_id] = self._deps.sessions.get_session(
                self._org, uuid.UUID(run.session_id)
            )
        return self._known[run.session_id]


def list_runs(
    deps: Dependencies,
    support: ExecutionSupport,
    org: uuid.UUID,
    *,
    status: ExecutionStatus | None = None,
    since: dt.datetime | None = None,
    limit: int = 100,
) -> list[ExecutionSummary]:
    """Runs newest first, each with its file; failed ones with their step and reason (read
    from their history: one more read per failed run)."""
    sessions = _Sessions(deps, org)
    runs = []
    for run in support.list(status, since, limit):
        failure = failure_of(support.show(run.name)) if run.status in REDRIVABLE else None
        runs.append(run.model_copy(update=described(run, failure, sessions.of(run))))
    return with_later_runs(support, runs)


# How many runs since the oldest failed one listed are read to find their redrives and
# replays (the runtimes list at most this many at once).
LATER_RUNS_READ = 1000


def with_later_runs(
    support: ExecutionSupport, runs: list[ExecutionSummary]
) -> list[ExecutionSummary]:
    """Each failed run with its newest later run of the same first run (the runs since the
    oldest failed one, read once): a failure a redrive already mended shows as mended. In
    AWS a redrive outside compensation resumes the run itself, which then lists as itself."""
    failed = [run for run in runs if run.status in REDRIVABLE]
    if not failed:
        return runs
    since = min(run.started_at for run in failed)
    by_root: dict[str, list[ExecutionSummary]] = {}
    for listed in support.list(None, since, LATER_RUNS_READ):
        by_root.setdefault(rerun_root(listed.name), []).append(listed)
    return [_with_later_run(run, by_root) if run.status in REDRIVABLE else run for run in runs]


def _with_later_run(
    run: ExecutionSummary, by_root: dict[str, list[ExecutionSummary]]
) -> ExecutionSummary:
    later = [
        other
        for other in by_root.get(rerun_root(run.name), [])
        if other.started_at > run.started_at and other.name != run.name
    ]
    if not later:
        return run
    newest = max(later, key=lambda other: other.started_at)
    return run.model_copy(update={"later_run": newest.name, "later_run_status": newest.status})


def show_run(
    deps: Dependencies, support: ExecutionSupport, org: uuid.UUID, name: str
) -> ExecutionDetail:
    detail = support.show(name)
    session = _Sessions(deps, org).of(detail)
    return detail.model_copy(update=described(detail, failure_of(detail), session))
