"""The per-user (and per-API-key) request budget, for every signed-in /v1 route
(middleware)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from coaching.api.context import ports_of
from coaching.api.identity import principal_of
from coaching.domain.errors import TooManyRequests, Unauthenticated
from coaching.domain.identity import Role

# sign-in and unsubscribe have their own, stricter attempt limits
_UNLIMITED_PREFIXES = ("/v1/auth/", "/v1/unsubscribe/")


def per_user_rate_limit(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    path = app.current_event.path
    if path.startswith("/v1/") and not path.startswith(_UNLIMITED_PREFIXES):
        try:
            principal = principal_of(app)
        except Unauthenticated:
            return next_middleware(app)  # the route answers 401 itself
        settings = ports_of(app).settings
        limit = (
            settings.api_key_rate_limit_per_minute
            if principal.role is Role.SERVICE
            else settings.rate_limit_per_minute
        )
        wait = ports_of(app).rate_limiter.hit(principal.organization_id, principal.actor, limit)
        if wait:
            raise TooManyRequests(wait)
    return next_middleware(app)
