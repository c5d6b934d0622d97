"""Support staff's operations on local runs: the same answers the AWS adapter gives, from
the execution records in PostgreSQL and the in-process interpreter."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from coaching.adapters.local.workflow import LocalWorkflow
from coaching.adapters.postgres import PostgresExecutionRecords
from coaching.adapters.stepfunctions_history import fold_history
from coaching.domain.errors import NotFound, NotRedrivable
from coaching.domain.reruns import REDRIVABLE, rerun_name, rerun_root
from coaching.ports.executions import ExecutionDetail, ExecutionSummary


class LocalExecutionSupport:
    def __init__(
        self, records: PostgresExecutionRecords, workflow: LocalWorkflow, org: uuid.UUID
    ) -> None:
        self._records, self._workflow, self._org = records, workflow, org

    def list(
        self, status: str | None = None, since: dt.datetime | None = None, limit: int = 100
    ) -> list[ExecutionSummary]:
        rows = self._records.list(self._org, status, since, limit)
        return [_summary(row) for row in rows]

    def show(self, name: str) -> ExecutionDetail:
        row = self._require(name)
        events = [
            {
                "id": e["event_id"],
                "type": e["event_type"],
                "timestamp": e["occurred_at"],
                **e["details"],
            }
            for e in row["events"]
        ]
        return ExecutionDetail(**_summary(row).model_dump(), states=fold_history(events))

    def redrive(self, name: str) -> ExecutionSummary:
        row = self._require(name)
        if row["status"] not in REDRIVABLE:
            raise NotRedrivable(
                f"{name} is {row['status']}; only failed, aborted or timed-out runs can be "
                "redriven."
            )
        return self._rerun(row, "redrive", fresh=False)

    def replay(self, name: str) -> ExecutionSummary:
        row = self._require(name)
        if row["status"] == "RUNNING":
            raise NotRedrivable(f"{name} is still running; replay it once it has finished.")
        return self._rerun(row, "replay", fresh=True)

    def wait_for(self, name: str) -> ExecutionSummary:
        """Blocks until a run started here has finished and been recorded."""
        self._workflow.wait(name)
        return _summary(self._require(name))

    def _rerun(self, row: dict[str, Any], kind: str, *, fresh: bool) -> ExecutionSummary:
        payload = row["input"]
        session_id = uuid.UUID(payload["session_id"])
        taken = self._records.names_like(self._org, rerun_root(row["name"]))
        name = rerun_name(row["name"], kind, taken)
        self._workflow.start(name, payload)
        link = {"redrive_of": row["name"]} if kind == "redrive" else {"replay_of": row["name"]}
        self._records.link(name, org=self._org, **link)
        return ExecutionSummary(
            name=name,
            status="RUNNING",
            session_id=str(session_id),
            started_at=dt.datetime.now(dt.UTC),
            **link,
        )

    def _require(self, name: str) -> dict[str, Any]:
        row = self._records.get(self._org, name)
        if row is None:
            raise NotFound(f"Execution {name} does not exist.")
        return row


def _summary(row: dict[str, Any]) -> ExecutionSummary:
    return ExecutionSummary(
        name=row["name"],
        status=row["status"],
        session_id=str(row["session_id"]) if row["session_id"] else None,
        started_at=row["started_at"],
        stopped_at=row["stopped_at"],
        error=row["error"],
        cause=row["cause"],
        redrive_of=row["redrive_of"],
        replay_of=row["replay_of"],
    )
