"""Lambda: the WebSocket API's `$disconnect` route: forgets the connection.

API Gateway calls it at most once, and not always (a lost network): the table's TTL drops
what it misses, and a push to a gone connection forgets it too (adapters/aws/socket_push.py).
"""

from http import HTTPStatus

from coaching.composition import lambda_ports
from coaching.observability import logger, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context, connections=None) -> dict:
    """``connections``: other ports (`coach serve`'s, a test's)."""
    connection_id = event["requestContext"]["connectionId"]
    (connections or lambda_ports().socket_connections).remove(connection_id)
    logger.info("socket disconnected", extra={"connection_id": connection_id})
    return {"statusCode": HTTPStatus.OK}
