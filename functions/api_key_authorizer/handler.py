"""Lambda: API Gateway's REQUEST authorizer for integrations' API keys.

Reads `Authorization: Bearer coach_<id>_<secret>`, checks it with the same use case as
`coach serve` (usecases/api_keys.py), and answers an Allow policy for this one method with
the key's context (coaching.api.identity.api_key_context), which API Gateway hands the API as
``requestContext.authorizer``. Anything else is "Unauthorized": API Gateway answers 401.
Results are not cached, so a revoked key stops working at once.
"""

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.api.identity import api_key_context
from coaching.composition import lambda_ports
from coaching.domain.errors import Unauthenticated
from coaching.observability import logger, tracer
from coaching.usecases.api_keys import authenticate_api_key


class Unauthorized(Exception):
    """API Gateway answers 401 when an authorizer fails with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def presented_key(event: APIGatewayAuthorizerRequestEvent) -> str:
    header = event.headers.get("Authorization") or ""  # Powertools' headers: any case
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise Unauthorized()
    return credential.strip()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(raw_event: dict, context, store=None) -> dict:
    event = APIGatewayAuthorizerRequestEvent(raw_event)
    try:
        key = authenticate_api_key(store or lambda_ports().api_keys, presented_key(event))
    except Unauthenticated:
        logger.info("API key refused")  # the route's answer logs the security event
        raise Unauthorized() from None
    arn = event.parsed_arn
    answer = APIGatewayAuthorizerResponse(
        principal_id=f"api-key:{key.id}",
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context=api_key_context(key),
    )
    answer.allow_route(http_method=arn.http_method, resource=arn.resource)
    return answer.asdict()
