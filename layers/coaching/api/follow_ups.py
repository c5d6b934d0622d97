"""Follow-up emails: the drafts approval makes, previews, and sending them (exactly once)."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from coaching.api.audit import audit, audited_page
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.api.models.follow_ups import (
    BatchResult,
    FollowUp,
    FollowUpPage,
    Preview,
    RenderedFollowUp,
    SavedPreview,
)
from coaching.api.paging import one_more_than
from coaching.usecases import follow_ups, sending

router = APIGatewayRouter()

FollowUpId = Annotated[uuid.UUID, Path(description="the follow-up's id")]


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary_id: uuid.UUID
    template_id: uuid.UUID | None = None  # none: the default for the kind of session


class ScheduleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: AwareDatetime  # with its time zone: "9:00" means nothing without one


class FollowUpEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # One line: a subject cannot smuggle in headers.
    subject: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\r\n]*$")]
    body: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]


class RenderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Items resting on a sensitive turn (health, medication...) stay out unless this is true.
    include_sensitive_items: bool = False


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    at: AwareDatetime | None = None  # none: send now


@router.get(
    "/v1/follow-ups",
    summary="Follow-ups of the sessions you can see, newest first",
    responses=documented(model=FollowUpPage),
)
def list_follow_ups(
    status: Annotated[
        Literal["draft", "scheduled", "sending", "sent", "failed"] | None, Query()
    ] = None,
    client_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict:
    principal = client_data_reader(router)
    items = follow_ups.list_follow_ups(
        ports_of(router).review_ports,
        principal,
        status=status,
        client_id=client_id,
        limit=one_more_than(limit),
        offset=offset,
    )
    return audited_page(router, principal, "follow_up", items, limit=limit, offset=offset)


@router.post(
    "/v1/follow-ups/preview",
    summary="Render a summary's follow-up email in the coach's voice, saving nothing",
    responses=documented(
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        model=Preview,
    ),
)
def preview_follow_up(request: Annotated[PreviewRequest, Body()]) -> dict:
    principal = client_data_reader(router)
    preview = follow_ups.preview_follow_up(
        ports_of(router).review_ports, principal, request.summary_id, request.template_id
    )
    audit(
        router,
        principal,
        "preview",
        "summary",
        request.summary_id,
        clients=[preview["client_id"]],
        template_id=preview["template_id"],
    )
    return preview


@router.get(
    "/v1/follow-ups/<follow_up_id>",
    summary="One follow-up: its status, subject and body",
    responses=documented(HTTPStatus.NOT_FOUND, model=FollowUp),
)
def get_follow_up(follow_up_id: FollowUpId) -> dict:
    principal = client_data_reader(router)
    follow_up = follow_ups.get_follow_up(ports_of(router).review_ports, principal, follow_up_id)
    audit(router, principal, "read", "follow_up", follow_up_id, clients=[follow_up["client_id"]])
    return follow_up


@router.get(
    "/v1/follow-ups/<follow_up_id>/preview",
    summary="A saved follow-up as the client would read it",
    responses=documented(HTTPStatus.NOT_FOUND, model=SavedPreview),
)
def preview_saved_follow_up(follow_up_id: FollowUpId) -> dict:
    principal = client_data_reader(router)
    preview = follow_ups.preview_saved_follow_up(
        ports_of(router).review_ports, principal, follow_up_id
    )
    audit(
        router,
        principal,
        "read",
        "follow_up",
        follow_up_id,
        clients=[preview["client_id"]],
        preview=True,
    )
    return preview


@router.put(
    "/v1/follow-ups/<follow_up_id>",
    summary="Edit a draft follow-up's subject and body before it is sent",
    responses=documented(
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.CONFLICT,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        model=FollowUp,
    ),
)
def edit_follow_up(follow_up_id: FollowUpId, request: Annotated[FollowUpEdit, Body()]) -> dict:
    principal = client_data_reader(router)
    result = sending.edit_follow_up(
        ports_of(router).sending_ports, principal, follow_up_id, request.subject, request.body
    )
    _audit_send(principal, "update", result)
    return result


@router.post(
    "/v1/follow-ups/<follow_up_id>/render",
    summary="Render a draft again from its template and the approved words",
    description="Sensitive items are withheld unless include_sensitive_items is true.",
    responses=documented(
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.CONFLICT,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        model=RenderedFollowUp,
    ),
)
def render_follow_up(follow_up_id: FollowUpId, request: Annotated[RenderRequest, Body()]) -> dict:
    principal = client_data_reader(router)
    result = sending.render_again(
        ports_of(router).sending_ports,
        principal,
        follow_up_id,
        include_sensitive=request.include_sensitive_items,
    )
    _audit_send(
        principal, "update", result, include_sensitive_items=request.include_sensitive_items
    )
    return result


@router.post(
    "/v1/follow-ups/<follow_up_id>/send",
    summary="Send an approved follow-up now; sending it again sends nothing",
    description="Answers with the follow-up: status sent, or failed with status_reason "
    "(e.g. client_has_no_email_address, client_unsubscribed). 409 when its summary is not "
    "approved or the approved words changed.",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, model=FollowUp),
)
def send_follow_up(follow_up_id: FollowUpId) -> dict:
    principal = client_data_reader(router)
    result = sending.send_follow_up(ports_of(router).sending_ports, principal, follow_up_id)
    _audit_send(principal, "send", result, status=result["status"])
    return result


@router.post(
    "/v1/follow-ups/<follow_up_id>/schedule",
    summary="Send an approved follow-up at a given time",
    responses=documented(
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.CONFLICT,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        model=FollowUp,
    ),
)
def schedule_follow_up(
    follow_up_id: FollowUpId, request: Annotated[ScheduleRequest, Body()]
) -> dict:
    principal = client_data_reader(router)
    result = sending.schedule_follow_up(
        ports_of(router).sending_ports, principal, follow_up_id, request.at
    )
    _audit_send(principal, "schedule", result, at=request.at.isoformat())
    return result


@router.post(
    "/v1/follow-ups/<follow_up_id>/cancel",
    summary="Cancel a scheduled send: the follow-up is a draft again",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, model=FollowUp),
)
def cancel_follow_up(follow_up_id: FollowUpId) -> dict:
    principal = client_data_reader(router)
    result = sending.cancel_follow_up(ports_of(router).sending_ports, principal, follow_up_id)
    _audit_send(principal, "cancel", result)
    return result


@router.post(
    "/v1/follow-ups/batch",
    summary="Send (or schedule) every approved follow-up of a session, each exactly once",
    responses=documented(
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        model=BatchResult,
    ),
)
def batch_follow_ups(request: Annotated[BatchRequest, Body()]) -> dict:
    principal = client_data_reader(router)
    items = sending.batch(ports_of(router).sending_ports, principal, request.session_id, request.at)
    for item in items:
        _audit_send(principal, "schedule" if request.at else "send", item, batch=True)
    return {"items": items}


def _audit_send(principal, action: str, result: dict, **details: object) -> None:
    audit(
        router,
        principal,
        action,
        "follow_up",
        uuid.UUID(result["id"]),
        clients=[result["client_id"]],
        **details,
    )
