"""The coach's review of per-client summaries: read, edit, refine, approve, reopen.

Approving twice answers 409 (the first approval stands, with its one follow-up draft).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field

from coaching.api.audit import audit, audited_page
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.api.models.summaries import Approved, Refined, Summary, SummaryList, SummaryPage
from coaching.api.paging import one_more_than
from coaching.domain.errors import ContentRejected
from coaching.domain.review import ReviewActionItem, ReviewItem, SummaryContent, SummaryStatus
from coaching.usecases import summaries
from coaching.usecases.refine_recorded import refine_recorded
from coaching.usecases.refine_summary import RefinementRequest

router = APIGatewayRouter()

SummaryId = Annotated[uuid.UUID, Path(description="the summary's id")]
_NOT_JSON = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
_Items = Annotated[list[ReviewItem], Field(max_length=50)]


class SummaryEdit(SummaryContent):
    """The coach's full edited content (every list, even an empty one), and the revision it
    was made on."""

    wins: _Items
    challenges: _Items
    action_items: Annotated[list[ReviewActionItem], Field(max_length=50)]
    coach_recommendations: _Items
    expected_revision: int = Field(ge=0, description="the revision the edit was made on")


class RevisionCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_revision: int | None = Field(
        default=None, ge=0, description="refuse (409) unless the summary is at this revision"
    )


class Refinement(BaseModel):
    """A request in the coach's words ("shorter", "remove win 2"; see the README's grammar)."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=2000, description="what to change")
    expected_revision: int = Field(ge=0, description="the revision the request was made on")


@contextlib.contextmanager
def fields_rejected() -> Iterator[None]:
    """Content the use case refused answers like any invalid request: 422 with the fields."""
    try:
        yield
    except ContentRejected as error:
        raise RequestValidationError(error.errors) from None


@router.get(
    "/v1/sessions/<session_id>/summaries",
    summary="The session's per-client summaries under review",
    responses=documented(HTTPStatus.NOT_FOUND, model=SummaryList),
)
def list_session_summaries(session_id: Annotated[uuid.UUID, Path()]) -> dict:
    principal = client_data_reader(router)
    items = summaries.session_summaries(ports_of(router).review_ports, principal, session_id)
    audit(
        router,
        principal,
        "read",
        "summary",
        None,
        clients=[item["client_id"] for item in items],
        session_id=str(session_id),
        count=len(items),
    )
    return {"items": items}


@router.get(
    "/v1/summaries",
    summary="Summaries of the sessions you can see, newest session first",
    description="status=draft: what is waiting for review.",
    responses=documented(model=SummaryPage),
)
def list_summaries(
    status: Annotated[SummaryStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict:
    principal = client_data_reader(router)
    items = summaries.list_summaries(
        ports_of(router).review_ports,
        principal,
        status=status,
        limit=one_more_than(limit),
        offset=offset,
    )
    return audited_page(router, principal, "summary", items, limit=limit, offset=offset)


@router.get(
    "/v1/summaries/<summary_id>",
    summary="One summary: its words, evidence, revision and status",
    responses=documented(HTTPStatus.NOT_FOUND, model=Summary),
)
def get_summary(summary_id: SummaryId) -> dict:
    principal = client_data_reader(router)
    summary = summaries.get_summary(ports_of(router).review_ports, principal, summary_id)
    audit(router, principal, "read", "summary", summary_id, clients=[summary["client_id"]])
    return summary


@router.put(
    "/v1/summaries/<summary_id>",
    summary="Save the coach's edit as a new revision (the AI's draft is kept)",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, _NOT_JSON, model=Summary),
)
def edit_summary(summary_id: SummaryId, edit: Annotated[SummaryEdit, Body()]) -> dict:
    principal = client_data_reader(router)
    content = SummaryContent.model_validate(edit.model_dump(exclude={"expected_revision"}))
    with fields_rejected():
        summary = summaries.edit_summary(
            ports_of(router).review_ports, principal, summary_id, edit.expected_revision, content
        )
    audit(
        router,
        principal,
        "update",
        "summary",
        summary_id,
        clients=[summary["client_id"]],
        revision=summary["revision"],
    )
    return summary


@router.post(
    "/v1/summaries/<summary_id>/refine",
    summary="Refine the words by asking: a new revision, answered with its diff",
    description="An unknown request is answered 422 with what works offline (with the "
    "OpenAI analyzer, by the model; 503 and nothing stored if it fails); 'history' "
    "answers the revisions without making one; a stale expected_revision answers 409.",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, _NOT_JSON, model=Refined),
)
def refine(summary_id: SummaryId, refinement: Annotated[Refinement, Body()]) -> dict:
    principal = client_data_reader(router)
    request = RefinementRequest(summary_id, refinement.message, refinement.expected_revision)
    ports = ports_of(router)
    with fields_rejected():
        # The revision and its audit record in one transaction, as over the socket.
        return refine_recorded(
            ports.review_ports, ports.transactions, ports.audit_log, principal, request
        )


@router.post(
    "/v1/summaries/<summary_id>/approve",
    summary="Approve the words as they stand; a follow-up draft is made (nothing is sent)",
    responses=documented(
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.CONFLICT,
        _NOT_JSON,
        model=Approved,
    ),
)
def approve_summary(
    summary_id: SummaryId, check: Annotated[RevisionCheck | None, Body()] = None
) -> dict:
    principal = client_data_reader(router)
    expected = check.expected_revision if check else None
    summary, follow_up_id = summaries.approve_summary(
        ports_of(router).review_ports, principal, summary_id, expected
    )
    touched = [summary["client_id"]]
    audit(
        router,
        principal,
        "approve",
        "summary",
        summary_id,
        clients=touched,
        revision=summary["revision"],
    )
    if follow_up_id is not None:
        audit(
            router,
            principal,
            "create",
            "follow_up",
            follow_up_id,
            clients=touched,
            summary_id=str(summary_id),
        )
    return {
        "summary": summary,
        "follow_up": {"id": str(follow_up_id), "status": "draft"} if follow_up_id else None,
    }


@router.post(
    "/v1/summaries/<summary_id>/reopen",
    summary="Back to draft so it can be edited; unsent follow-up drafts are withdrawn",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, _NOT_JSON, model=Summary),
)
def reopen_summary(
    summary_id: SummaryId, check: Annotated[RevisionCheck | None, Body()] = None
) -> dict:
    principal = client_data_reader(router)
    expected = check.expected_revision if check else None
    summary = summaries.reopen_summary(
        ports_of(router).review_ports, principal, summary_id, expected
    )
    audit(
        router,
        principal,
        "reopen",
        "summary",
        summary_id,
        clients=[summary["client_id"]],
        revision=summary["revision"],
    )
    return summary
