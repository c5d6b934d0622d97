"""Lambda: the REST API behind API Gateway (and behind the local gateway)."""

from aws_lambda_powertools.logging import correlation_paths

from coaching.api.app import build_app
from coaching.observability import logger, tracer

app = build_app()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
