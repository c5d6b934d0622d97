"""Support's answers: pipeline runs, without client content."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict

from coaching.api.models.base import Answer
from coaching.ports.executions import ExecutionSummary


class Run(ExecutionSummary):
    model_config = ConfigDict(extra="forbid")


class RunList(Answer):
    items: list[Run]


class StateView(Answer):
    """A state of a run without its input and output (client content)."""

    name: str
    status: str
    entered_at: dt.datetime | None = None
    exited_at: dt.datetime | None = None
    error: str | None = None
    cause: str | None = None


class RunDetail(Run):
    states: list[StateView] = []
