"""What the API does with an API key's request, whatever route it names (middleware): every
request is audited under the key's id, then refused with 403 unless its scopes name the
route. Runs after the rate limit, so a key over its budget gets 429 and writes nothing."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from coaching.api.audit import audit
from coaching.api.identity import principal_of, require_scope
from coaching.api.scopes import scopes_allow
from coaching.api.security_events import route_shape
from coaching.domain.errors import Unauthenticated
from coaching.domain.identity import Role


def api_key_gate(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    event = app.current_event
    if not event.path.startswith("/v1/"):
        return next_middleware(app)
    try:
        principal = principal_of(app)
    except Unauthenticated:
        return next_middleware(app)  # the route answers 401 itself
    if principal.role is Role.SERVICE:
        audit(
            app,
            principal,
            "use",
            "api_key",
            principal.user_id,
            method=event.http_method,
            route=route_shape(event.path),
            in_scope=scopes_allow(principal.scopes, event.http_method, event.path),
        )
        require_scope(app, principal)
    return next_middleware(app)
