"""The API application: resolver, routes, health, and error mapping."""

from __future__ import annotations

import json
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from coaching.api import (
    admin,
    api_keys,
    auth,
    clients,
    coach_profile,
    crm_connections,
    executions,
    export_mappings,
    exports,
    follow_ups,
    search,
    sessions,
    summaries,
    templates,
    unsubscribe,
    users,
)
from coaching.api.api_key_use import api_key_gate
from coaching.api.ended_sign_ins import refuse_ended_sign_ins
from coaching.api.errors import error_response, response_for, unexpected_error_response
from coaching.api.identity import check_signed_in_organization
from coaching.api.json_body import parse_json
from coaching.api.limits import per_user_rate_limit
from coaching.api.models.base import Answer
from coaching.api.openapi_document import (
    SECURITY_SCHEMES,
    describe_routes,
    tags,
    without_bodies_on_204,
)
from coaching.api.security import DOCS_PATH, SecureResolver, cors_for
from coaching.api.security_events import note_answer
from coaching.composition import Ports
from coaching.domain.errors import CoachingError
from coaching.observability import logger

API_TITLE = "Coaching Platform API"


class Health(Answer):
    status: Literal["ok"]


OPENAPI_PATH = "/openapi.json"


def api_version() -> str:
    try:
        return version("coaching-platform")
    except PackageNotFoundError:  # a Lambda layer carries the code, not the distribution
        return "0.0.0"


def build_app(ports: Ports) -> APIGatewayRestResolver:
    """The REST API over ``ports``: every route reads them from the resolver's context."""
    app = SecureResolver(
        ports=ports,
        enable_validation=True,
        cors=cors_for(ports.settings.web_origin),
        json_body_deserializer=parse_json,
        check_sign_in=check_signed_in_organization,
        # The budget first: a caller over it is refused before anything is written for it.
        gates=[refuse_ended_sign_ins, per_user_rate_limit, api_key_gate],
        on_answer=note_answer,
    )
    app.include_router(auth.router)
    app.include_router(admin.router)
    app.include_router(users.router)
    app.include_router(api_keys.router)
    app.include_router(sessions.router)
    app.include_router(executions.router)
    app.include_router(summaries.router)
    app.include_router(follow_ups.router)
    app.include_router(unsubscribe.router)
    app.include_router(templates.router)
    app.include_router(clients.router)
    app.include_router(coach_profile.router)
    app.include_router(search.router)
    app.include_router(exports.router)
    app.include_router(export_mappings.router)
    app.include_router(crm_connections.router)
    document = {
        "title": API_TITLE,
        "version": api_version(),
        "tags": tags(),
        "security_schemes": SECURITY_SCHEMES,
    }
    # The token typed into Authorize survives a reload of /docs.
    app.enable_swagger(path=DOCS_PATH, persist_authorization=True, **document)

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi_document():
        return Response(
            status_code=HTTPStatus.OK,
            content_type=content_types.APPLICATION_JSON,
            body=json.dumps(
                without_bodies_on_204(json.loads(app.get_openapi_json_schema(**document)))
            ),
        )

    @app.get("/health", summary="Liveness: the API answers")
    def health() -> Health:
        return Health(status="ok")

    @app.exception_handler(CoachingError)
    def handle_domain_error(error: CoachingError):
        return response_for(error)

    @app.exception_handler(RequestValidationError)
    def handle_invalid_request(error: RequestValidationError):
        fields = [
            {"field": ".".join(str(part) for part in e["loc"]), "problem": e["msg"]}
            for e in error.errors()
        ]
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "COACH_422",
            "The request is not valid.",
            {"fields": fields},
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def handle_unsupported_body(error: RequestUnsupportedContentType):
        # A body that is not JSON (text/plain...) is the caller's mistake, not ours.
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "COACH_415", "Send the body as application/json."
        )

    @app.exception_handler(ServiceError)
    def handle_service_error(error: ServiceError):
        # Powertools' own answers (no such route, method not allowed), in our shape.
        status = HTTPStatus(error.status_code)
        message = "There is no such resource." if status == HTTPStatus.NOT_FOUND else str(error.msg)
        return error_response(status, f"COACH_{status.value}", message)

    @app.exception_handler(Exception)
    def handle_unexpected_error(error: Exception):
        logger.exception("unexpected error in the API", extra={"error_type": type(error).__name__})
        return unexpected_error_response()

    describe_routes(app.registered_routes())
    return app
