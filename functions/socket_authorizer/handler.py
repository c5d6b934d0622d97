"""Lambda: the WebSocket API's `$connect` REQUEST authorizer.

Reads the token from `?token=` (browsers cannot set headers on a WebSocket; API Gateway
refuses a `$connect` without it before calling this), checks it as REST checks its bearer
(usecases/socket_sign_in.py: signature, issuer, audience, token use, expiry, ended
sign-ins) and answers an Allow policy for this connection with whose it is as context
(coaching.api.identity.socket_authorizer_context), which `$connect` reads. Anything else is
"Unauthorized": API Gateway answers 401 and the socket is never opened.
"""

from functools import partial

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponseWebSocket,
)

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.api.identity import socket_authorizer_context
from coaching.composition import lambda_ports
from coaching.domain.errors import Unauthenticated
from coaching.observability import logger, tracer
from coaching.usecases.socket_sign_in import authorize_socket
from coaching.usecases.token_revocation import ensure_still_signed_in

TOKEN_PARAMETER = "token"  # noqa: S105 - a parameter name; the identity source: route.request.querystring.token
CONNECT_ROUTE = "$connect"


class Unauthorized(Exception):
    """API Gateway answers 401 when an authorizer fails with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(raw_event: dict, context, verify=None, revocations=None) -> dict:
    """``verify``/``revocations``: the token verifier and ended sign-ins of other ports (a
    test's); by default this environment's."""
    event = APIGatewayAuthorizerRequestEvent(raw_event)
    token = (event.query_string_parameters or {}).get(TOKEN_PARAMETER)
    try:
        claims = authorize_socket(
            token,
            verify or lambda_ports().token_verifier,
            partial(ensure_still_signed_in, revocations or lambda_ports().token_revocations),
        )
    except Unauthenticated:
        logger.info("socket refused")  # never the token
        raise Unauthorized() from None
    answer = APIGatewayAuthorizerResponseWebSocket.from_route_arn(
        event.method_arn, str(claims["sub"]), socket_authorizer_context(claims)
    )
    answer.allow_route(CONNECT_ROUTE)  # the only route it guards
    return answer.asdict()
