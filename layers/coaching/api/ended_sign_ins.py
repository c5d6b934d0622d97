"""Refuses signed-in /v1 requests whose token was issued before its sign-in ended (logout,
a reused refresh token, an MFA reset): API Gateway's authorizer checks only the signature
and expiry (middleware; the one check is usecases/token_revocation.py)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from coaching.api.context import ports_of
from coaching.api.identity import claims_of
from coaching.usecases.token_revocation import ensure_still_signed_in

_OPEN_PREFIXES = ("/v1/auth/", "/v1/unsubscribe/")  # sign-in, unsubscribe: no token


def refuse_ended_sign_ins(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    path = app.current_event.path
    if path.startswith("/v1/") and not path.startswith(_OPEN_PREFIXES):
        claims = claims_of(app)
        if claims:  # without any, the route answers 401 itself
            ensure_still_signed_in(ports_of(app).token_revocations, claims)
    return next_middleware(app)
