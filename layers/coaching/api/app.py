"""The API application: resolver, routes, health, and error mapping."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from coaching.api import sessions
from coaching.api.errors import error_response, response_for
from coaching.domain.errors import CoachingError


def build_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    app.include_router(sessions.router)

    @app.get("/health", summary="Liveness: the API answers")
    def health() -> dict:
        return {"status": "ok"}

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

    return app
