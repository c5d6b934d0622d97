"""Support staff's routes: pipeline runs, their errors, redrive and replay.

Run metadata and errors only: state inputs and outputs carry client content (names,
summaries), so they never leave through this API.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import Annotated, Literal, cast

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import require_role
from coaching.api.models.executions import Run, RunDetail, RunList
from coaching.domain.identity import Role
from coaching.ports.executions import ExecutionDetail
from coaching.ports.workflow import ExecutionStatus
from coaching.usecases.execution_listing import list_runs, show_run
from coaching.usecases.rerun import rerun_execution

router = APIGatewayRouter()


_RERUN_ANSWERS = documented(
    HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, model=Run
)

StatusFilter = Literal["failed", "running", "succeeded", "aborted", "timed_out"]


@router.get(
    "/v1/executions",
    summary="Pipeline runs, newest first",
    description="Each with its file; a failed one with its failed step, the reason for "
    "people, and `redrive_helps` (false when the file itself is at fault: upload a fixed one).",
    responses=documented(model=RunList),
)
def list_executions(
    status: Annotated[StatusFilter | None, Query()] = None,
    since: Annotated[dt.datetime | None, Query(description="ISO 8601 start time")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    org = _support_org()
    support = ports_of(router).execution_support(org)
    deps = ports_of(router).dependencies
    wanted = cast("ExecutionStatus | None", status.upper() if status else None)
    runs = list_runs(deps, support, org, status=wanted, since=since, limit=limit)
    return {"items": [run.model_dump(mode="json") for run in runs]}


@router.get(
    "/v1/executions/<name>",
    summary="One run: each state's status, timings and error",
    responses=documented(HTTPStatus.NOT_FOUND, model=RunDetail),
)
def get_execution(name: Annotated[str, Path()]) -> dict:
    org = _support_org()
    detail = show_run(
        ports_of(router).dependencies, ports_of(router).execution_support(org), org, name
    )
    return _without_content(detail)


@router.post(
    "/v1/executions/<name>/redrive",
    summary="Resume a failed run at its failed step",
    responses=_RERUN_ANSWERS,
)
def redrive_execution(name: Annotated[str, Path()]) -> dict:
    return _rerun(name, "redrive")


@router.post(
    "/v1/executions/<name>/replay",
    summary="Run the same input again, linked",
    responses=_RERUN_ANSWERS,
)
def replay_execution(name: Annotated[str, Path()]) -> dict:
    return _rerun(name, "replay")


def _rerun(name: str, kind: str) -> dict:
    principal = require_role(router, Role.SUPPORT, Role.ADMIN)
    org = principal.organization_id
    run = rerun_execution(
        ports_of(router).dependencies, ports_of(router).execution_support(org), org, name, kind
    )
    # A rerun processes client data again: who asked for it is on record.
    audit(
        router,
        principal,
        kind,
        "execution",
        name,
        sessions=[run.session_id] if run.session_id else [],
        started=run.name,
        session_id=run.session_id,
    )
    return run.model_dump(mode="json")


def _without_content(detail: ExecutionDetail) -> dict:
    return RunDetail.model_validate(
        detail.model_dump(exclude={"states": {"__all__": {"input", "output"}}})
    ).model_dump(mode="json")


def _support_org():
    """Support staff and admins see runs: metadata only, never client content."""
    return require_role(router, Role.SUPPORT, Role.ADMIN).organization_id
