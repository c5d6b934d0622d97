"""Client routes: the clients a caller may see, one client's history and contact details,
erasing a client, and who accessed a client's data (admins)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from http import HTTPStatus
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import reader_and_visibility, require_role
from coaching.api.models.clients import (
    AccessLogPage,
    ClientContact,
    ClientHistory,
    ClientPage,
    ClientRecord,
    ImportReport,
    MergedClient,
)
from coaching.api.multipart_form import invalid, request_body
from coaching.api.paging import offset_page, one_more_than
from coaching.api.request_size import DIRECT_BODY_LIMIT_BYTES, body_too_large
from coaching.domain.clients import CONTACT_FIELDS, ClientDetailsUpdate, ClientStatus
from coaching.domain.errors import NotFound
from coaching.domain.identity import Role
from coaching.ports.audit import AuditPosition
from coaching.usecases.client_access import access_view, client_access_log
from coaching.usecases.client_history import client_history, client_overview
from coaching.usecases.client_import import MAX_ROWS, ClientImport
from coaching.usecases.client_records import merge_clients, update_client
from coaching.usecases.delete_client import delete_client

router = APIGatewayRouter()

ClientId = Annotated[uuid.UUID, Path(description="the client's id")]


@router.get(
    "/v1/clients",
    summary="Clients in the sessions the caller may see, by name",
    responses=documented(model=ClientPage),
)
def list_clients(  # noqa: PLR0917 - one argument per query parameter (the API document)
    status: Annotated[ClientStatus | None, Query(description="pending or active")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="part of the name")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    email: Annotated[
        str | None,
        Query(min_length=3, max_length=254, description="exactly this email (any case)"),
    ] = None,
    sort: Annotated[
        Literal["name", "priority"],
        Query(
            description="name (the default), or priority: the latest session's follow-up "
            "priority first, highest first (the clients to follow up first)"
        ),
    ] = "name",
) -> dict:
    principal, visibility = reader_and_visibility(router)
    store, _ = ports_of(router).client_ports
    org = principal.organization_id
    found = store.list_clients(
        org,
        visibility.coach_ids,
        status=status,
        name_contains=q,
        limit=one_more_than(limit),
        offset=offset,
        # Emails are stored encrypted: found by their keyed hash, never by decrypting.
        email_indexes=ports_of(router).contact_details.email_lookup(org, email) if email else None,
        by_priority=sort == "priority",
    )
    page, next_offset = offset_page(found, limit, offset)
    audit(
        router,
        principal,
        "read",
        "client",
        None,
        clients=[c.id for c in page],
        client_ids=[str(c.id) for c in page],
        by_email=email is not None,
    )
    return {"items": [client_overview(c) for c in page], "next_offset": next_offset}


CSV_BODY = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {
                "type": "string",
                "description": "a header line naming the columns name, email, external_id "
                "(optional), then one client per line",
            }
        }
    },
}


@router.post(
    "/v1/clients/import",
    summary="Import a client list (text/csv: name, email, optional external_id)",
    description="Each row creates a confirmed client, updates the client it names (by "
    "external_id, else by name in any case), or is skipped with a reason; the answer reports "
    f"every row. At most {MAX_ROWS} rows; emails are stored encrypted.",
    responses=documented(model=ImportReport),
    openapi_extensions={"requestBody": CSV_BODY},
)
def import_clients() -> dict:
    principal, visibility = reader_and_visibility(router)
    event = router.current_event
    headers = event.headers or {}
    content_type = headers.get("content-type") or headers.get("Content-Type") or ""
    if content_type.split(";")[0].strip().lower() not in ("text/csv", "text/plain"):
        raise invalid("header.content-type", "Send the client list as text/csv.")
    body = request_body(event.body, event.is_base64_encoded)
    if len(body) >= DIRECT_BODY_LIMIT_BYTES:
        raise body_too_large()
    store, _ = ports_of(router).client_ports
    reports = ClientImport(
        ports_of(router).client_records, ports_of(router).contact_details, store, visibility
    ).run(body)
    touched = [r.client_id for r in reports if r.client_id and r.result != "skipped"]
    counts = {
        kind: sum(r.result == kind for r in reports) for kind in ("created", "updated", "skipped")
    }
    # Ids and counts only: never a name or an address from the file.
    audit(router, principal, "import", "client", None, clients=touched, **counts)
    return {**counts, "rows": [r.view() for r in reports]}


@router.get(
    "/v1/clients/<client_id>",
    summary="A client's sessions, commitments kept or not, and engagement trend",
    responses=documented(HTTPStatus.NOT_FOUND, model=ClientHistory),
)
def get_client(client_id: ClientId) -> dict:
    principal, visibility = reader_and_visibility(router)
    store, _ = ports_of(router).client_ports
    history = client_history(store, visibility, client_id, ports_of(router).contact_details)
    details = ports_of(router).client_records.details(principal.organization_id, client_id)
    if details is not None:  # what sending needs to know besides the address
        suppressed_at = details.email_suppressed_at
        history |= {
            "opted_out": details.opted_out_at is not None,
            "external_id": details.external_id,
            # A bounce or complaint stopped sending to the address: the coach should fix it.
            "email_suppressed": details.email_suppressed_at is not None,
            "email_suppressed_at": suppressed_at.isoformat() if suppressed_at else None,
            "email_suppressed_reason": details.email_suppressed_reason,
        }
    audit(
        router,
        principal,
        "read",
        "client",
        client_id,
        clients=[client_id],
        session_ids=[s["session_id"] for s in history["sessions"]],
    )
    return history


class ContactUpdate(BaseModel):
    """Only the fields sent change; null removes one. Stored encrypted."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str | None, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] = (
        None
    )
    phone: Annotated[str | None, Field(max_length=40, pattern=r"^\+?[0-9][0-9 ().-]{2,39}$")] = None


@router.patch(
    "/v1/clients/<client_id>",
    summary="Set a client's contact details (email, phone), stored encrypted",
    responses=documented(HTTPStatus.NOT_FOUND, model=ClientContact),
)
def update_client_contact(client_id: ClientId, changes: Annotated[ContactUpdate, Body()]) -> dict:
    principal, visibility = reader_and_visibility(router)
    store, _ = ports_of(router).client_ports
    org = principal.organization_id
    if store.get_client(org, visibility.coach_ids, client_id) is None:
        raise NotFound(f"Client {client_id} does not exist.")
    sent = changes.model_dump(exclude_unset=True)
    contact = ports_of(router).contact_details.update_contact(org, client_id, sent)
    if contact is None:  # erased meanwhile
        raise NotFound(f"Client {client_id} does not exist.")
    audit(
        router, principal, "update", "client", client_id, clients=[client_id], changed=sorted(sent)
    )
    return {"id": str(client_id), "email": contact.email, "phone": contact.phone}


EmailAddress = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
ClientName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ClientRecordUpdate(BaseModel):
    """The record as the coach keeps it. Email and phone change only when sent (null removes
    one); every other field is replaced."""

    model_config = ConfigDict(extra="forbid")

    name: ClientName
    status: ClientStatus = Field(description="active confirms a pending client")
    email: EmailAddress | None = None
    phone: Annotated[str | None, Field(max_length=40, pattern=r"^\+?[0-9][0-9 ().-]{2,39}$")] = None
    opted_out: bool = Field(default=False, description="no follow-up emails to this client")
    external_id: ExternalId | None = Field(default=None, description="the id in your own list")


@router.put(
    "/v1/clients/<client_id>",
    summary="Keep a client's record: confirm, rename, email address (encrypted), opt-out",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, model=ClientRecord),
)
def update_client_record(
    client_id: ClientId, changes: Annotated[ClientRecordUpdate, Body()]
) -> dict:
    principal, visibility = reader_and_visibility(router)
    store, _ = ports_of(router).client_ports
    org = principal.organization_id
    if store.get_client(org, visibility.coach_ids, client_id) is None:
        raise NotFound(f"Client {client_id} does not exist.")
    sent = changes.model_dump(exclude_unset=True)
    record = update_client(
        ports_of(router).client_records,
        ports_of(router).contact_details,
        org,
        client_id,
        update=ClientDetailsUpdate(
            name=changes.name,
            status=changes.status,
            opted_out=changes.opted_out,
            external_id=changes.external_id,
        ),
        contact={f: sent[f] for f in CONTACT_FIELDS if f in sent},
    )
    # Which fields were sent, never their values (the email is personal data).
    audit(
        router, principal, "update", "client", client_id, clients=[client_id], changed=sorted(sent)
    )
    return record


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    other_client_id: uuid.UUID = Field(description="the record to fold into this one")


@router.post(
    "/v1/clients/<client_id>/merge",
    summary="Merge another record of the same person into this one (the other is removed)",
    description="The other record's session results, summaries, follow-ups and session "
    "participations move to this client; its email and phone fill those this one lacks; an "
    "opt-out on either stays. 409 when both speak in one session.",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, model=MergedClient),
)
def merge_client(client_id: ClientId, merge: Annotated[MergeRequest, Body()]) -> dict:
    principal, visibility = reader_and_visibility(router)
    store, _ = ports_of(router).client_ports
    org = principal.organization_id
    for named in (client_id, merge.other_client_id):
        if store.get_client(org, visibility.coach_ids, named) is None:
            raise NotFound(f"Client {named} does not exist.")
    record, moved = merge_clients(
        ports_of(router).client_records,
        ports_of(router).contact_details,
        org,
        client_id,
        merge.other_client_id,
    )
    both = [client_id, merge.other_client_id]
    audit(
        router,
        principal,
        "merge",
        "client",
        client_id,
        clients=both,
        merged_client_id=str(merge.other_client_id),
        moved=moved,
    )
    return {**record, "merged_client_id": str(merge.other_client_id), "moved": moved}


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
    store, _ = ports_of(router).client_ports
    ports = ports_of(router)
    erasure, rewritten = delete_client(
        ports.dependencies, store, principal.organization_id, client_id, ports.voice_observations
    )
    audit(
        router,
        principal,
        "delete",
        "client",
        client_id,
        clients=[client_id],
        session_ids=[str(s) for s in erasure.sessions],
        transcript_files_kept=len(erasure.sessions),
        overviews_rewritten=rewritten,
        removed=erasure.removed,
    )
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.get(
    "/v1/clients/<client_id>/access-log",
    summary="Every access to one client's data: who, when, what, from where (admins)",
    description="Newest first; pages follow `next_cursor` (null on the last page). Kept after "
    "the client is erased, for the organization's retention (at least seven years).",
    responses=documented(HTTPStatus.NOT_FOUND, model=AccessLogPage),
)
def get_client_access_log(
    client_id: ClientId,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> dict:
    principal = require_role(router, Role.ADMIN)
    store, _ = ports_of(router).client_ports
    page, next_position = client_access_log(
        ports_of(router).audit_log,
        store,
        principal.organization_id,
        client_id,
        limit=limit,
        after=_decode_cursor(cursor),
    )
    # Not tagged with the client: looking at the log is not an access to their data.
    audit(router, principal, "read", "client_access_log", client_id, count=len(page))
    return {
        "client_id": str(client_id),
        "items": [access_view(entry) for entry in page],
        "next_cursor": _encode_cursor(next_position),
    }


def _encode_cursor(position: AuditPosition | None) -> str | None:
    if position is None:
        return None
    raw = json.dumps({"t": position.created_at.isoformat(), "i": position.id})
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str | None) -> AuditPosition | None:
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = dt.datetime.fromisoformat(data["t"])
        if at.tzinfo is None or not isinstance(data["i"], int):
            raise ValueError(cursor)
        return AuditPosition(created_at=at, id=data["i"])
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise invalid("query.cursor", "Not a cursor this API gave out.") from None
