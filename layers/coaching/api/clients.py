"""Client routes: the clients a caller may see, one client's history, erasing a client."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.audit import audit
from coaching.api.errors import documented
from coaching.api.identity import reader_and_visibility, require_role
from coaching.api.paging import offset_page, one_more_than
from coaching.composition import client_ports, dependencies
from coaching.domain.identity import Role
from coaching.ports.clients import ClientStatus
from coaching.usecases.client_history import client_history, client_overview
from coaching.usecases.delete_client import delete_client

router = APIGatewayRouter()

ClientId = Annotated[uuid.UUID, Path(description="the client's id")]


@router.get(
    "/v1/clients",
    summary="Clients in the sessions the caller may see, by name",
    responses=documented(),
)
def list_clients(
    status: Annotated[ClientStatus | None, Query(description="pending or active")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="part of the name")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict:
    principal, visibility = reader_and_visibility(router)
    store, _ = client_ports()
    found = store.list_clients(
        principal.organization_id,
        visibility.coach_ids,
        status=status,
        name_contains=q,
        limit=one_more_than(limit),
        offset=offset,
    )
    page, next_offset = offset_page(found, limit, offset)
    audit(principal, "read", "client", None, client_ids=[str(c.id) for c in page])
    return {"items": [client_overview(c) for c in page], "next_offset": next_offset}


@router.get(
    "/v1/clients/<client_id>",
    summary="A client's sessions, commitments kept or not, and engagement trend",
    responses=documented(HTTPStatus.NOT_FOUND),
)
def get_client(client_id: ClientId) -> dict:
    principal, visibility = reader_and_visibility(router)
    store, _ = client_ports()
    history = client_history(store, visibility, client_id)
    audit(
        principal,
        "read",
        "client",
        client_id,
        session_ids=[s["session_id"] for s in history["sessions"]],
    )
    return history


@router.delete(
    "/v1/clients/<client_id>",
    summary="Erase a client at their request (admins): records deleted, their words redacted",
    description=(
        "Deletes the client record, their per-session results, summaries, revisions and "
        "follow-ups, and their search entries; their turns keep their place with the text "
        "replaced, their speaking statistics stay as 'Removed client', and their name is "
        "taken out of the other speakers' turns. The original transcript files of their "
        "sessions still hold their words: delete those sessions to remove them (the audit "
        "record counts them as transcript_files_kept)."
    ),
    responses=documented(HTTPStatus.NOT_FOUND, ok=HTTPStatus.NO_CONTENT),
)
def erase_client(client_id: ClientId):
    # Admins only: an erasure request is an organization's legal duty, and it removes what
    # other coaches' sessions hold about the client too.
    principal = require_role(router, Role.ADMIN)
    store, _ = client_ports()
    erasure, rewritten = delete_client(dependencies(), store, principal.organization_id, client_id)
    audit(
        principal,
        "delete",
        "client",
        client_id,
        session_ids=[str(s) for s in erasure.sessions],
        transcript_files_kept=len(erasure.sessions),
        overviews_rewritten=rewritten,
        removed=erasure.removed,
    )
    return Response(status_code=HTTPStatus.NO_CONTENT)
