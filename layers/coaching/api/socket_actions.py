"""The WebSocket API's actions on client data: what the `subscribe` and `refine` routes do
with a message they take (api/socket_routes.py has already checked and counted it; `ping`
and unknown actions: api/socket_heartbeat.py).

- ``subscribe``: the live steps of the caller's sessions, or of one (usecases/socket_subscribe.py).
- ``refine``: the refinement and its audit record in one transaction, as REST does it
  (usecases/refine_recorded.py), answered with the same JSON as
  ``POST /v1/summaries/{id}/refine``; the session's other subscribed screens get
  ``summary_revised``.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from coaching.api.socket_messages import answer_frame
from coaching.api.socket_routes import SocketRequest
from coaching.domain.errors import Forbidden
from coaching.domain.identity import CLIENT_DATA_ROLES, Principal
from coaching.ports.sockets import SocketConnection
from coaching.usecases.refine_recorded import refine_recorded
from coaching.usecases.refine_summary import RefinementRequest
from coaching.usecases.socket_subscribe import subscribe_socket
from coaching.usecases.summaries import visible_summary
from coaching.usecases.token_revocation import connection_still_signed_in

if TYPE_CHECKING:
    from coaching.composition import Ports


class _Frame(BaseModel):
    """A client frame: its action and id, which the route already read, and its fields."""

    model_config = ConfigDict(extra="forbid")

    action: str
    id: str | int | None = None


class SubscribeFrame(_Frame):
    session_id: uuid.UUID | None = Field(
        default=None, description="one session only; absent: every session the caller may see"
    )


class RefineFrame(_Frame):
    summary_id: uuid.UUID
    message: str = Field(min_length=1, max_length=2000, description="what to change")
    expected_revision: int = Field(ge=0, description="the revision the request was made on")


def subscribe_action(ports: Ports, request: SocketRequest) -> str:
    frame = SubscribeFrame.model_validate(request.message)
    caller = _signed_in_caller(ports, request)
    subscription = subscribe_socket(
        ports.socket_connections, ports.sessions, ports.directory, caller, frame.session_id
    )
    session_id = subscription.session_id
    return answer_frame(
        "subscribed", request.id, session_id=str(session_id) if session_id else None
    )


def refine_action(ports: Ports, request: SocketRequest) -> str:
    frame = RefineFrame.model_validate(request.message)
    principal = _client_data_reader(ports, request)
    review = ports.review_ports
    refinement = RefinementRequest(frame.summary_id, frame.message, frame.expected_revision)
    answer = refine_recorded(
        review, ports.transactions, ports.audit_log, principal, refinement, via="socket"
    )
    summary = answer["summary"]
    if "history" not in answer:
        org, session_id = principal.organization_id, uuid.UUID(summary["session_id"])
        ports.sockets.push_to_subscribers(
            org,
            session_id,
            lambda: visible_summary(review, principal, frame.summary_id).session_coach_id,
            {
                "type": "summary_revised",
                "session_id": summary["session_id"],
                "summary_id": summary["id"],
                "revision": summary["revision"],
                "diff": answer["diff"],
            },
            skip=request.connection_id,
        )
    return answer_frame("refined", request.id, **answer)


def _signed_in_caller(ports: Ports, request: SocketRequest) -> SocketConnection:
    """Whose the connection is, while their sign-in lasts (401 once it ended)."""
    return connection_still_signed_in(
        ports.token_revocations, request.connections, request.caller()
    )


def _client_data_reader(ports: Ports, request: SocketRequest) -> Principal:
    """The caller, if they may see client content (coaches, leads, admins): REST's rule."""
    principal = _signed_in_caller(ports, request).principal
    if principal.role not in CLIENT_DATA_ROLES:
        raise Forbidden(f"The {principal.role.value} role cannot do this.")
    return dataclasses.replace(principal, source_ip=request.source_ip)
