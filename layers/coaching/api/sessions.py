"""Read-only session routes: list sessions, one session with its per-participant results."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.composition import dependencies
from coaching.domain.errors import NotFound
from coaching.usecases.session_results import session_overview, session_results
from coaching.usecases.supervision_history import supervision_history

router = APIGatewayRouter()


@router.get("/v1/sessions", summary="List sessions, newest first", responses=documented())
def list_sessions(limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict:
    org = client_data_reader(router).organization_id
    sessions = dependencies().store.list_sessions(org, limit=limit)
    return {"items": [session_overview(s) for s in sessions]}


@router.get(
    "/v1/sessions/<session_id>",
    summary="A session with each participant's results",
    responses=documented(HTTPStatus.NOT_FOUND),
)
def get_session(
    session_id: Annotated[str, Path()],
    turns: Annotated[bool, Query(description="include every labelled turn")] = False,
) -> dict:
    org = client_data_reader(router).organization_id
    try:
        parsed = uuid.UUID(session_id)
    except ValueError:
        raise NotFound(f"Session {session_id} does not exist.") from None
    return session_results(dependencies(), org, parsed, include_turns=turns)


@router.get(
    "/v1/supervision",
    summary="The coach's supervision metrics per session, over time",
    responses=documented(),
)
def supervision(limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    return supervision_history(dependencies(), client_data_reader(router).organization_id, limit)
