"""Session routes: list and open the sessions one may see, upload, delete; supervision.

Who sees what is one rule (usecases/access.py): a coach their own sessions, a lead their
team's, an admin all of the organization's; support staff none (403). A session one may not
see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field, ValidationError

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import reader_and_visibility
from coaching.api.models.sessions import (
    SessionPage,
    SessionResults,
    SessionStatus,
    SupervisionHistory,
    UploadAccepted,
    UploadTicket,
)
from coaching.api.multipart_form import FORM_ALLOWANCE, invalid, read_form, request_body, too_large
from coaching.api.request_size import DIRECT_BODY_LIMIT_BYTES, body_too_large
from coaching.domain.errors import NotFound
from coaching.domain.identity import Principal, Visibility
from coaching.domain.session import ProcessingStatus, SessionPosition, SessionType
from coaching.usecases.delete_session import delete_session
from coaching.usecases.session_listing import (
    list_visible_sessions,
    session_status,
    visible_session,
)
from coaching.usecases.session_results import session_overview, session_results
from coaching.usecases.supervision_history import supervision_history
from coaching.usecases.upload import (
    UnknownCoach,
    request_upload_url,
    upload_transcript,
    uploader_coach,
)

router = APIGatewayRouter()

SessionId = Annotated[str, Path(description="the session's id")]


def _session_uuid(session_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(session_id)
    except ValueError:
        raise NotFound(f"Session {session_id} does not exist.") from None


def _links(session_id: uuid.UUID) -> dict[str, str]:
    return {
        "session": f"/v1/sessions/{session_id}",
        "status": f"/v1/sessions/{session_id}/status",
    }


# -- listing -------------------------------------------------------------------------------


def _encode_cursor(position: SessionPosition | None) -> str | None:
    if position is None:
        return None
    raw = json.dumps({"t": position.created_at.isoformat(), "i": str(position.id)})
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str | None) -> SessionPosition | None:
    """The page position a cursor stands for: opaque to callers, checked here."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        return SessionPosition(created_at=data["t"], id=data["i"])
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise invalid("query.cursor", "Not a cursor this API gave out.") from None


@router.get(
    "/v1/sessions",
    summary="Sessions the caller may see, newest first",
    description="Pages follow `next_cursor` (null on the last page). Dates filter on the "
    "session date, or the day the transcript came in when it has none.",
    responses=documented(model=SessionPage),
)
def list_sessions(
    *,  # query parameters, passed by name
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
    coach_id: Annotated[uuid.UUID | None, Query(description="one coach's sessions")] = None,
    date_from: Annotated[dt.date | None, Query(description="on or after, YYYY-MM-DD")] = None,
    date_to: Annotated[dt.date | None, Query(description="on or before, YYYY-MM-DD")] = None,
    status: Annotated[ProcessingStatus | None, Query()] = None,
    session_type: Annotated[SessionType | None, Query()] = None,
) -> dict:
    principal, visibility = reader_and_visibility(router)
    if date_from and date_to and date_from > date_to:
        raise invalid("query.date_to", "date_to is before date_from.")
    page, next_position = list_visible_sessions(
        ports_of(router).dependencies,
        visibility,
        limit=limit,
        after=_decode_cursor(cursor),
        coach_id=coach_id,
        date_from=date_from,
        date_to=date_to,
        status=status,
        session_type=session_type,
    )
    audit(
        router,
        principal,
        "read",
        "session",
        None,
        sessions=[s.id for s in page],
        session_ids=[str(s.id) for s in page],
    )
    return {
        "items": [session_overview(s) for s in page],
        "next_cursor": _encode_cursor(next_position),
    }


# -- one session ---------------------------------------------------------------------------


@router.get(
    "/v1/sessions/<session_id>",
    summary="A session with each participant's results",
    responses=documented(HTTPStatus.NOT_FOUND, model=SessionResults),
)
def get_session(
    session_id: SessionId,
    turns: Annotated[bool, Query(description="include every labelled turn")] = False,
) -> dict:
    principal, visibility = reader_and_visibility(router)
    session = visible_session(ports_of(router).dependencies, visibility, _session_uuid(session_id))
    result = session_results(
        ports_of(router).dependencies, principal.organization_id, session.id, include_turns=turns
    )
    audit(router, principal, "read", "session", session.id, sessions=[session.id], turns=turns)
    return result


@router.get(
    "/v1/sessions/<session_id>/status",
    summary="How far processing got: status, failed step and reason, run, last change",
    responses=documented(HTTPStatus.NOT_FOUND, model=SessionStatus),
)
def get_session_status(session_id: SessionId) -> dict:
    principal, visibility = reader_and_visibility(router)
    session = visible_session(ports_of(router).dependencies, visibility, _session_uuid(session_id))
    audit(router, principal, "read", "session", session.id, sessions=[session.id], view="status")
    return session_status(session)


@router.delete(
    "/v1/sessions/<session_id>",
    summary="Delete a session and everything kept about it",
    description="Its transcript file, turns, results, summaries, follow-ups, search entries, "
    "run records, and the pending client records only it created. A session still being "
    "processed answers 409: delete it once its run has finished or failed.",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, ok=HTTPStatus.NO_CONTENT),
)
def remove_session(session_id: SessionId):
    principal, visibility = reader_and_visibility(router)
    deps = ports_of(router).dependencies
    session = visible_session(deps, visibility, _session_uuid(session_id))
    deletion = delete_session(deps, principal.organization_id, session.id)
    audit(
        router,
        principal,
        "delete",
        "session",
        session.id,
        clients=deletion.client_ids,
        rows=deletion.rows,
        files=len(deletion.object_keys),
    )
    return Response(status_code=HTTPStatus.NO_CONTENT)


# -- uploads -------------------------------------------------------------------------------

# The form as the OpenAPI document shows it; read by multipart_form, not by Powertools.
UPLOAD_FORM = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["transcript"],
                "properties": {
                    "transcript": {"type": "string", "format": "binary"},
                    "session_type": {"type": "string", "enum": ["group", "individual"]},
                    "session_date": {"type": "string", "format": "date"},
                    "coach_id": {
                        "type": "string",
                        "format": "uuid",
                        "description": "whose session (admins, leads for their team); "
                        "default: the caller's",
                    },
                },
            }
        }
    },
}


class UploadFields(BaseModel):
    session_type: SessionType | None = None
    session_date: dt.date | None = None
    coach_id: uuid.UUID | None = None


def _upload_fields(fields: dict[str, str]) -> UploadFields:
    known = {k: v for k, v in fields.items() if k in UploadFields.model_fields and v != ""}
    try:
        return UploadFields.model_validate(known)
    except ValidationError as error:
        first = error.errors()[0]
        raise invalid(f"body.{first['loc'][0]}", first["msg"]) from None


def _coach_for(principal: Principal, visibility: Visibility, requested: uuid.UUID | None):
    try:
        return uploader_coach(
            ports_of(router).dependencies, visibility, principal.coach_id, requested
        )
    except UnknownCoach:
        raise invalid("body.coach_id", "No such coach in your organization.") from None


@router.post(
    "/v1/sessions",
    summary="Upload a transcript (multipart/form-data): processing starts at once",
    description="Answers 202 with the session's id; follow its status link. The body must be "
    "under 4,000,000 bytes (what one Lambda invocation carries) and the file within the "
    "transcript size limit (413 otherwise); larger files: POST /v1/sessions/upload-url.",
    responses=documented(
        HTTPStatus.CONFLICT,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        ok=HTTPStatus.ACCEPTED,
        model=UploadAccepted,
    ),
    openapi_extensions={"requestBody": UPLOAD_FORM},
)
def upload_session():
    principal, visibility = reader_and_visibility(router)
    deps = ports_of(router).dependencies
    event = router.current_event
    declared = (event.headers or {}).get("content-length") or (event.headers or {}).get(
        "Content-Length", ""
    )
    # Refused before the body is even decoded. Over what a Lambda invocation carries, the
    # way forward is the presigned upload, as API Gateway's firewall answers in AWS.
    if str(declared).isdigit() and int(declared) >= DIRECT_BODY_LIMIT_BYTES:
        raise body_too_large()
    if str(declared).isdigit() and int(declared) > deps.max_transcript_bytes + FORM_ALLOWANCE:
        raise too_large(deps.max_transcript_bytes)
    content_type = event.headers.get("content-type") or event.headers.get("Content-Type")
    body = request_body(event.body, event.is_base64_encoded)
    if len(body) >= DIRECT_BODY_LIMIT_BYTES:
        raise body_too_large()
    form = read_form(content_type, body, deps.max_transcript_bytes)
    transcript = form.files.get("transcript")
    if transcript is None:
        raise invalid("body.transcript", "Field required: the transcript, as a file.")
    fields = _upload_fields(form.fields)
    coach_id = _coach_for(principal, visibility, fields.coach_id)
    submission = upload_transcript(
        deps,
        ports_of(router).workflow,
        principal.organization_id,
        transcript.data,
        transcript.file_name or "transcript",
        coach_id=coach_id,
        session_type=fields.session_type,
        session_date=fields.session_date,
    )
    audit(router, principal, "create", "session", submission.session_id, bytes=len(transcript.data))
    session = deps.sessions.get_session(principal.organization_id, submission.session_id)
    body = {
        "session_id": str(submission.session_id),
        "status": session.processing_status if session else "received",
        "execution_name": submission.execution_name,
        "links": _links(submission.session_id),
    }
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Location": f"/v1/sessions/{submission.session_id}/status"},
    )


class UploadUrlRequest(BaseModel):
    file_name: str = Field(min_length=1, max_length=255, description="the transcript's name")
    coach_id: uuid.UUID | None = Field(
        default=None, description="whose session (admins, leads for their team)"
    )


@router.post(
    "/v1/sessions/upload-url",
    summary="A presigned upload for a large transcript: processing starts when it lands",
    description="Send the file to `upload_url` with `method`: POST as a multipart form with "
    "`fields` first and the file last as `file` (S3), or PUT with `headers` (`coach serve`). "
    "The session gets `session_id`; follow its status link.",
    responses=documented(ok=HTTPStatus.CREATED, model=UploadTicket),
)
def create_upload_url(request: Annotated[UploadUrlRequest, Body()]):
    principal, visibility = reader_and_visibility(router)
    coach_id = _coach_for(principal, visibility, request.coach_id)
    ticket = request_upload_url(
        ports_of(router).dependencies,
        principal.organization_id,
        request.file_name,
        coach_id=coach_id,
    )
    audit(router, principal, "create", "upload_url", ticket.session_id)
    target = ticket.target
    body = {
        "session_id": str(ticket.session_id),
        "upload_url": target.url,
        "method": target.method,
        "fields": target.fields,
        "headers": target.headers,
        "expires_at": target.expires_at.isoformat(),
        "max_bytes": target.max_bytes,
        "links": _links(ticket.session_id),
    }
    return Response(
        status_code=HTTPStatus.CREATED,
        content_type=content_types.APPLICATION_JSON,
        body=body,
    )


# -- supervision ---------------------------------------------------------------------------


@router.get(
    "/v1/supervision",
    summary="The coach's supervision metrics per session, over time",
    responses=documented(model=SupervisionHistory),
)
def supervision(limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    principal, visibility = reader_and_visibility(router)
    history = supervision_history(
        ports_of(router).dependencies,
        principal.organization_id,
        limit,
        coach_ids=visibility.coach_ids,
    )
    audit(
        router,
        principal,
        "read",
        "supervision",
        None,
        session_ids=[s["session_id"] for s in history["sessions"]],
    )
    return history
