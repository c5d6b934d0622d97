"""Lambda: the REST API behind API Gateway (and behind the local gateway)."""

from functools import lru_cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.api.app import build_app
from coaching.composition import lambda_ports
from coaching.observability import logger, tracer


@lru_cache(maxsize=1)
def default_app() -> APIGatewayRestResolver:
    """The API over this Lambda environment's ports, built once per cold start."""
    return build_app(lambda_ports())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context, app: APIGatewayRestResolver | None = None) -> dict:
    """``app``: the API over other ports (the local runtime's, a test's)."""
    return (app or default_app()).resolve(event, context)
