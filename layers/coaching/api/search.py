"""Natural-language search: one question across the sessions the caller may see."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.api.models.search import (
    WITHOUT_NUL,
    Filters,
    SearchAnswer,
    SearchBody,
    SimilarBody,
    Suggestions,
)
from coaching.usecases import search as search_usecase

router = APIGatewayRouter()


def _requested(filters: Filters | None) -> search_usecase.RequestedFilters:
    if filters is None:
        return search_usecase.RequestedFilters()

    def ids(values):
        return None if values is None else frozenset(values)

    return search_usecase.RequestedFilters(
        client_ids=ids(filters.client_ids),
        coach_ids=ids(filters.coach_ids),
        kinds=ids(filters.kinds),
        session_types=ids(filters.session_types),
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


def _audited(principal, action: str, answer: dict, **details) -> dict:
    # Who searched and what it showed: counts and ids, never the question's words.
    results = answer["results"]
    audit(
        router,
        principal,
        action,
        "search",
        None,
        clients=sorted({r["client_id"] for r in results if r["client_id"]}),
        sessions=sorted({r["session_id"] for r in results}),
        count=len(results),
        degraded=answer["degraded"],
        **details,
    )
    return answer


@router.post(
    "/v1/search",
    summary="Search every session you can see with a question in plain words",
    description="Names, dates, session types and item kinds in the question become filters "
    "(shown in `filters.understood`); explicit `filters` win. Results are ranked by meaning "
    "and by keywords together; `degraded` names a backend that did not answer.",
    responses=documented(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, model=SearchAnswer),
)
def search(request: Annotated[SearchBody, Body()]) -> dict:
    principal = client_data_reader(router)
    answer = search_usecase.search(
        ports_of(router).search_ports,
        principal,
        search_usecase.SearchRequest(
            query=request.query,
            filters=_requested(request.filters),
            limit=request.limit,
            cursor=request.cursor,
        ),
        dt.datetime.now(dt.UTC),
    )
    return _audited(principal, "search", answer, paged=request.cursor is not None)


@router.get(
    "/v1/search/suggest",
    summary="Completions while typing: client and coach names, tags, your recent questions",
    responses=documented(model=Suggestions),
)
def suggest(
    q: Annotated[
        str, Query(max_length=100, pattern=WITHOUT_NUL, description="what has been typed so far")
    ] = "",
) -> dict:
    principal = client_data_reader(router)
    return search_usecase.suggest(ports_of(router).search_ports, principal, q)


@router.post(
    "/v1/search/similar",
    summary="More like this: passages like one passage, summary item or turn",
    responses=documented(
        HTTPStatus.NOT_FOUND, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, model=SearchAnswer
    ),
)
def similar(request: Annotated[SimilarBody, Body()]) -> dict:
    principal = client_data_reader(router)
    answer = search_usecase.search_similar(
        ports_of(router).search_ports,
        principal,
        search_usecase.SimilarRequest(
            passage_id=request.passage_id,
            session_id=request.session_id,
            turn_index=request.turn_index,
            filters=_requested(request.filters),
            limit=request.limit,
            cursor=request.cursor,
        ),
        dt.datetime.now(dt.UTC),
    )
    return _audited(principal, "search_similar", answer)
