"""Lambda: the WebSocket API's `$default` route: a message no other route takes.

Routes such as `subscribe` and `refine` come later (the refinement issue); until then a
message is only checked, and one the API cannot take is answered with an error frame in the
API's one error shape (the route returns its response to the client). The connection stays
open either way. No ports: it reads nothing and stores nothing.
"""

from http import HTTPStatus

from coaching.api.socket_messages import problem_with
from coaching.observability import logger, tracer


def message_text(event: dict) -> str | None:
    """The message as text; None for a binary frame (API Gateway sends it base64-encoded)."""
    if event.get("isBase64Encoded"):
        return None
    return event.get("body") or ""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context) -> dict:
    problem = problem_with(message_text(event))
    if problem is None:
        return {"statusCode": HTTPStatus.OK}
    logger.info("message refused", extra={"connection_id": event["requestContext"]["connectionId"]})
    return {"statusCode": HTTPStatus.OK, "body": problem}
