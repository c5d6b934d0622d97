"""Folds Step Functions history events into one ``StateRun`` per state entered.

Pure: no AWS, no moto. It reads the event shapes of ``GetExecutionHistory`` as boto3 returns
them (``timestamp`` a datetime, ``type`` a string) and as moto's interpreter records them
in-process (``timestamp`` an ISO string, ``type`` a ``str`` enum), so the AWS adapter and the
local runtime show runs the same way.

Events of concurrent Map iterations interleave, and several runs of one state (one per item)
are open at once; each event is attributed by following ``previousEventId`` back to the state
entry it belongs to, falling back to the latest open entry when ids are missing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from coaching.ports.executions import StateRun

# Kind of a state, from its "<Kind>StateEntered" event.
_TASK, _MAP, _PARALLEL = "Task", "Map", "Parallel"

# Events that end an attempt of a state's work in failure, by the kind of state they belong to.
_FAILURES = {
    "LambdaFunctionFailed": _TASK,
    "LambdaFunctionStartFailed": _TASK,
    "LambdaFunctionScheduleFailed": _TASK,
    "LambdaFunctionTimedOut": _TASK,
    "TaskFailed": _TASK,
    "TaskStartFailed": _TASK,
    "TaskSubmitFailed": _TASK,
    "TaskTimedOut": _TASK,
    "ActivityFailed": _TASK,
    "ActivityScheduleFailed": _TASK,
    "ActivityTimedOut": _TASK,
    "MapStateFailed": _MAP,
    "MapStateAborted": _MAP,
    "MapRunFailed": _MAP,
    "MapRunAborted": _MAP,
    "ParallelStateFailed": _PARALLEL,
    "ParallelStateAborted": _PARALLEL,
}
# Events after which an earlier failed attempt (a retried one) no longer counts.
_SUCCESSES = {
    "LambdaFunctionSucceeded": _TASK,
    "TaskSucceeded": _TASK,
    "ActivitySucceeded": _TASK,
    "MapStateSucceeded": _MAP,
    "MapRunSucceeded": _MAP,
    "ParallelStateSucceeded": _PARALLEL,
}
_EXECUTION_ENDS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}


@dataclass
class _Run:
    name: str
    kind: str
    entered_id: int | None
    entered_at: dt.datetime | None
    input: Any
    exited_at: dt.datetime | None = None
    output: Any = None
    exited: bool = False
    closed: bool = False  # exited, caught, or stopped with the execution
    forced_status: str | None = None
    error: str | None = None
    cause: str | None = None
    failing: bool = False  # the latest attempt failed and no later one succeeded
    caught: bool = False
    # For a Map: the error of its latest failed iteration (MapStateFailed carries none).
    item_error: tuple[str | None, str | None] | None = None
    event_ids: set[int] = field(default_factory=set)

    def status(self) -> str:
        if self.failing:
            return "caught" if self.caught else "failed"
        if self.forced_status:
            return self.forced_status
        return "succeeded" if self.exited else "running"

    def to_state_run(self) -> StateRun:
        status = self.status()
        keep_error = status in ("failed", "caught")
        return StateRun(
            name=self.name,
            status=status,
            entered_at=self.entered_at,
            exited_at=self.exited_at,
            input=self.input,
            output=self.output,
            error=self.error if keep_error else None,
            cause=self.cause if keep_error else None,
        )


def _type(event: dict) -> str:
    kind = event.get("type", "")
    return str(getattr(kind, "value", kind))


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _details(event: dict, kind: str) -> dict:
    details = event.get(kind[:1].lower() + kind[1:] + "EventDetails")
    return details if isinstance(details, dict) else {}


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class _Folder:
    def __init__(self, events: list[dict]) -> None:
        ids = [_id(event.get("id")) for event in events]
        if all(ids) and len(set(ids)) == len(ids):
            events = sorted(events, key=lambda event: event["id"])
        self.events = events
        self.by_id: dict[int, dict] = {}
        for event in events:
            if (event_id := _id(event.get("id"))) is not None:
                self.by_id[event_id] = event
        self.runs: list[_Run] = []
        self.run_of_entry: dict[int, _Run] = {}  # entered event id -> its run
        self.owner: dict[int, _Run] = {}  # any attributed event id -> its run

    # --- attribution -------------------------------------------------------------------------

    def _ancestors(self, event: dict):
        seen: set[int] = set()
        previous = _id(event.get("previousEventId"))
        while previous is not None and previous not in seen and previous in self.by_id:
            seen.add(previous)
            yield previous
            previous = _id(self.by_id[previous].get("previousEventId"))

    def _owner(self, event: dict, accepts) -> _Run | None:
        for ancestor in self._ancestors(event):
            run = self.run_of_entry.get(ancestor)
            if run is not None and accepts(run):
                return run
        for run in reversed(self.runs):
            if accepts(run):
                return run
        return None

    def _inherited_error(self, event: dict) -> tuple[str | None, str | None]:
        """Error and cause of the nearest earlier failure, for failure events without details."""
        for ancestor in self._ancestors(event):
            previous = self.by_id[ancestor]
            details = _details(previous, _type(previous))
            if details.get("error") or details.get("cause"):
                return details.get("error"), details.get("cause")
        return None, None

    def _attribute(self, event: dict, run: _Run) -> None:
        if (event_id := _id(event.get("id"))) is not None:
            run.event_ids.add(event_id)
            self.owner[event_id] = run

    # --- events ------------------------------------------------------------------------------

    def _entered(self, event: dict, kind: str) -> None:
        details = event.get("stateEnteredEventDetails") or {}
        name = details.get("name") or "?"
        self._catch(event, name)
        run = _Run(
            name=name,
            kind=kind[: -len("StateEntered")],
            entered_id=_id(event.get("id")),
            entered_at=_time(event.get("timestamp")),
            input=_json(details.get("input")),
        )
        self.runs.append(run)
        if run.entered_id is not None:
            self.run_of_entry[run.entered_id] = run
        self._attribute(event, run)

    def _catch(self, event: dict, name: str) -> None:
        """A state entered straight after a failed one: that one's Catch routed here."""
        previous = _id(event.get("previousEventId"))
        if previous is not None and previous in self.by_id:
            run = self.owner.get(previous)
        elif name.startswith("FailedAt"):
            run = next((r for r in reversed(self.runs) if r.failing and not r.caught), None)
        else:
            run = None
        if run is not None and run.failing:
            run.caught = True
            run.closed = True

    def _exited(self, event: dict) -> None:
        details = event.get("stateExitedEventDetails") or {}
        name = details.get("name")
        run = self._owner(event, lambda r: not r.exited and (name is None or r.name == name))
        if run is None:
            return
        run.exited = run.closed = True
        run.exited_at = _time(event.get("timestamp"))
        run.output = _json(details.get("output"))
        self._attribute(event, run)

    def _failed(self, event: dict, kind: str) -> None:
        run = self._owner(event, lambda r: r.kind == _FAILURES[kind] and not r.closed)
        if run is None:
            return
        details = _details(event, kind)
        error, cause = details.get("error"), details.get("cause")
        if error is None and cause is None:
            error, cause = run.item_error or self._inherited_error(event)
        run.failing = True
        run.error, run.cause = error, cause
        self._attribute(event, run)

    def _iteration_failed(self, event: dict, kind: str) -> None:
        name = _details(event, kind).get("name")
        run = self._owner(
            event, lambda r: r.kind == _MAP and not r.closed and (name is None or r.name == name)
        )
        if run is None:
            return
        error, cause = self._inherited_error(event)
        if error is not None or cause is not None:
            run.item_error = (error, cause)
        self._attribute(event, run)

    def _succeeded(self, event: dict, kind: str) -> None:
        run = self._owner(event, lambda r: r.kind == _SUCCESSES[kind] and not r.closed)
        if run is not None:
            run.failing = False
            self._attribute(event, run)

    def _execution_ended(self, event: dict, kind: str) -> None:
        details = _details(event, kind)
        error = details.get("error") or (None if kind == "ExecutionSucceeded" else kind)
        cause = details.get("cause")
        for run in self.runs:
            if run.closed:
                continue
            run.closed = True
            if run.failing:
                continue  # failed, and nothing caught it
            if kind == "ExecutionSucceeded":
                run.forced_status = "succeeded"
                continue
            # A Fail state, or a state the execution stopped under (aborted, timed out).
            run.forced_status = "failed"
            run.error, run.cause = error, cause

    def fold(self) -> list[StateRun]:
        for event in self.events:
            kind = _type(event)
            if kind.endswith("StateEntered"):
                self._entered(event, kind)
            elif kind.endswith("StateExited"):
                self._exited(event)
            elif kind in _FAILURES:
                self._failed(event, kind)
            elif kind in ("MapIterationFailed", "MapIterationAborted"):
                self._iteration_failed(event, kind)
            elif kind in _SUCCESSES:
                self._succeeded(event, kind)
            elif kind in _EXECUTION_ENDS:
                self._execution_ended(event, kind)
            # ExecutionRedriven and the rest need nothing: a redriven state is entered anew.
        return [run.to_state_run() for run in self.runs]


def fold_history(events: list[dict]) -> list[StateRun]:
    """One ``StateRun`` per state entered, in the order they were entered."""
    return _Folder(list(events)).fold()


__all__ = ["fold_history"]
