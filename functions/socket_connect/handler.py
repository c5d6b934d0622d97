"""Lambda: the WebSocket API's `$connect` route: records whose the new connection is.

Its owner comes from the `$connect` authorizer's context (functions/socket_authorizer), never
from the request. A status other than 200 refuses the socket (API Gateway closes it; `coach
serve` answers the status with the body, in the API's one error shape).
"""

import json
from http import HTTPStatus

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.api.errors import error_body
from coaching.api.identity import principal_from_claims
from coaching.composition import lambda_ports
from coaching.domain.errors import Unauthenticated
from coaching.observability import logger, tracer
from coaching.usecases.socket_connect import connect_socket


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context, connections=None, organizations=None) -> dict:
    """``connections``/``organizations``: other ports (`coach serve`'s, a test's)."""
    request = event["requestContext"]
    connection_id = request["connectionId"]
    try:
        principal = principal_from_claims(request.get("authorizer") or {})
        connect_socket(
            connections or lambda_ports().socket_connections,
            organizations or lambda_ports().organizations,
            principal,
            connection_id,
        )
    except Unauthenticated as error:
        logger.info("socket refused at $connect", extra={"connection_id": connection_id})
        body = error_body(error.code, error.user_message())
        return {"statusCode": HTTPStatus.UNAUTHORIZED, "body": json.dumps(body)}
    logger.info("socket connected", extra={"connection_id": connection_id})
    return {"statusCode": HTTPStatus.OK}
