"""ExecutionSupport port on AWS Step Functions: list, show, redrive and replay pipeline runs."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.adapters.stepfunctions_history import fold_history
from coaching.domain.errors import (
    CoachingError,
    ExecutionNotRedrivable,
    NotFound,
    TransientError,
)
from coaching.domain.reruns import REDRIVABLE
from coaching.ports.executions import ExecutionDetail, ExecutionSummary
from coaching.ports.workflow import ExecutionStatus

# Execution names of the pipeline: "session-<uuid>" (API upload) or "drop-<uuid>" (drop box),
# the uuid being the session's id; replays started here append "-replay-<n>".
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_SESSION_NAME = re.compile(
    rf"^(?:session|drop)-(?P<session_id>{_UUID})(?:-(?:replay|redrive|resubmit)-\d+)?$"
)
_REPLAY_NAME = re.compile(r"^(?P<original>.+)-replay-(?P<n>[1-9]\d*)$")
_LINKED_NAME = re.compile(r"^(?P<original>.+)-(?P<kind>replay|redrive)-(?P<n>[1-9]\d*)$")
# The Fail state our compensation path ends in: AWS's own redrive would only re-run it.
_COMPENSATED = "SessionProcessingFailed"
_MAX_NAME = 80
_PAGE = 1000  # the largest page ListExecutions and GetExecutionHistory hand out
_REPLAY_ATTEMPTS = 5


def session_id_from_name(name: str) -> str | None:
    match = _SESSION_NAME.match(name)
    return match["session_id"].lower() if match else None


def replay_of(name: str) -> str | None:
    match = _REPLAY_NAME.match(name)
    return match["original"] if match else None


def replay_name(original: str, n: int, kind: str = "replay") -> str:
    suffix = f"-{kind}-{n}"
    return original[: _MAX_NAME - len(suffix)] + suffix


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class StepFunctionsSupport:
    def __init__(self, client, state_machine_arn: str) -> None:
        self._sfn = client
        self._arn = state_machine_arn

    def execution_arn(self, name: str) -> str:
        # arn:aws:states:region:account:stateMachine:Name -> ...:execution:Name:run
        prefix, machine = self._arn.rsplit(":stateMachine:", 1)
        return f"{prefix}:execution:{machine}:{name}"

    # --- the port ----------------------------------------------------------------------------

    def list(
        self,
        status: ExecutionStatus | None = None,
        since: dt.datetime | None = None,
        limit: int = 100,
    ) -> list[ExecutionSummary]:
        since = _utc(since)
        found: list[ExecutionSummary] = []
        # ListExecutions answers newest first: the first run older than `since` ends the scan.
        for item in self._executions(status, page_size=min(max(limit, 1), _PAGE)):
            if len(found) >= limit:
                break
            if since is not None and _utc(item["startDate"]) < since:
                break
            found.append(self._summary(item))
        return found

    def show(self, name: str) -> ExecutionDetail:
        described = self._describe(name)
        events: list[dict] = []
        request: dict[str, Any] = {
            "executionArn": self.execution_arn(name),
            "includeExecutionData": True,
            "maxResults": _PAGE,
        }
        while True:
            page = self._call(
                "get_execution_history", f"Reading the history of run {name}", name, **request
            )
            events.extend(page.get("events", []))
            if not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
        summary = self._summary(described)
        if summary.session_id is None:
            summary.session_id = _session_id_from_input(described.get("input"))
        return ExecutionDetail(**summary.model_dump(), states=fold_history(events))

    def redrive(self, name: str) -> ExecutionSummary:
        described = self._describe(name)
        if described["status"] not in REDRIVABLE:
            raise ExecutionNotRedrivable(
                f"Run {name} is {described['status']}; only failed runs can be redriven.",
                hint="Replay it instead to run the same input again.",
            )
        if described.get("error") == _COMPENSATED:
            # Compensation ran and the run ended in its Fail state: resume as a linked run
            # with the same input; steps that finished return their recorded results.
            return self._start_linked(described, name, "redrive")
        try:
            self._sfn.redrive_execution(executionArn=self.execution_arn(name))
        except ClientError as error:
            if _code(error) == "ExecutionNotRedrivable":
                raise ExecutionNotRedrivable(
                    f"Step Functions cannot redrive run {name} any more "
                    "(too old, redriven too often, or its state machine changed).",
                    hint="Replay it instead to run the same input again.",
                ) from error
            raise self._translate(error, f"Redriving run {name}", name) from error
        except BotoCoreError as error:
            raise translate(error, f"Redriving run {name}") from error
        summary = self._summary(described)
        # The same execution, resumed at the failed step: running again, no error yet.
        return summary.model_copy(
            update={"status": "RUNNING", "stopped_at": None, "error": None, "cause": None}
        )

    def replay(self, name: str) -> ExecutionSummary:
        described = self._describe(name)
        if described["status"] in ("RUNNING", "PENDING_REDRIVE"):
            # Two pipelines on one session would overwrite each other's results.
            raise ExecutionNotRedrivable(
                f"Run {name} is still running; replay it once it has finished."
            )
        return self._start_linked(described, name, "replay")

    # --- helpers -----------------------------------------------------------------------------

    def _start_linked(self, described: dict, name: str, kind: str) -> ExecutionSummary:
        """A new run with the same input named `<original>-<kind>-<n>`, the next free n."""
        # A replay of a replay is one more replay of the same original run.
        match = _LINKED_NAME.match(name)
        original = match["original"] if match else name
        taken = [
            int(found["n"])
            for item in self._executions(None, page_size=_PAGE)
            if (found := _LINKED_NAME.match(item["name"]))
            and found["kind"] == kind
            and item["name"] == replay_name(original, int(found["n"]), kind)
        ]
        n = max(taken, default=0) + 1
        payload = described.get("input") or "{}"
        for attempt in range(_REPLAY_ATTEMPTS):
            new_name = replay_name(original, n + attempt, kind)
            try:
                started = self._sfn.start_execution(
                    stateMachineArn=self._arn, name=new_name, input=payload
                )
            except ClientError as error:
                if _code(error) == "ExecutionAlreadyExists":
                    continue  # someone else started one at the same moment: take the next n
                raise self._translate(error, f"Starting a {kind} of run {name}", name) from error
            except BotoCoreError as error:
                raise translate(error, f"Starting a {kind} of run {name}") from error
            return ExecutionSummary(
                name=new_name,
                status="RUNNING",
                session_id=session_id_from_name(new_name)
                or _session_id_from_input(described.get("input")),
                started_at=_utc(started["startDate"]),
                **({"replay_of": original} if kind == "replay" else {"redrive_of": name}),
            )
        raise TransientError(
            f"Could not find a free name for a {kind} of run {name}: others are starting one.",
            hint="Try again in a moment.",
        )

    def _executions(self, status: ExecutionStatus | None, *, page_size: int):
        request: dict[str, Any] = {"stateMachineArn": self._arn, "maxResults": page_size}
        if status is not None:
            request["statusFilter"] = status
        while True:
            page = self._call("list_executions", "Listing pipeline runs", None, **request)
            yield from page.get("executions", [])
            if not page.get("nextToken"):
                return
            request["nextToken"] = page["nextToken"]

    def _describe(self, name: str) -> dict:
        return self._call(
            "describe_execution",
            f"Reading run {name}",
            name,
            executionArn=self.execution_arn(name),
        )

    def _call(self, operation: str, what: str, name: str | None, **request) -> dict:
        try:
            return getattr(self._sfn, operation)(**request)
        except ClientError as error:
            raise self._translate(error, what, name) from error
        except BotoCoreError as error:
            raise translate(error, what) from error

    @staticmethod
    def _translate(error: ClientError, what: str, name: str | None) -> CoachingError:
        if name is not None and _code(error) == "ExecutionDoesNotExist":
            return NotFound(
                f"There is no pipeline run named {name}.",
                hint="List the runs to see their names.",
            )
        return translate(error, what)

    @staticmethod
    def _summary(item: dict) -> ExecutionSummary:
        name = item["name"]
        return ExecutionSummary(
            name=name,
            status=item["status"],
            session_id=session_id_from_name(name),
            started_at=_utc(item["startDate"]),
            stopped_at=_utc(item.get("stopDate")),
            error=item.get("error"),
            cause=item.get("cause"),
            # AWS redrives resume the same execution (redriveCount): never another run.
            redrive_of=None,
            replay_of=replay_of(name),
        )


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _session_id_from_input(raw: str | None) -> str | None:
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        return None
    value = payload.get("session_id") if isinstance(payload, dict) else None
    return str(value) if value else None


__all__ = ["ExecutionNotRedrivable", "StepFunctionsSupport", "replay_name", "replay_of"]
