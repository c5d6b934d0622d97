"""Binds the Lambda tasks of moto's Step Functions interpreter to our handlers, in-process.

moto would send a Lambda task to its Lambda backend (Docker). Its interpreter calls
``lambda_eval_utils._invoke_lambda_function`` (and ``exec_lambda_function``) for every task;
we replace both with a dispatch by function name to the handler registry, answering as AWS
Lambda does: the handler's return value as payload, or ``FunctionError: Unhandled`` with
``{errorType, errorMessage}`` when it raises. This is a private hook: moto is pinned exactly
and ``tests/integration/test_asl_binding_canary.py`` fails when it stops working.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local_runtime.asl_interpreter import lambda_eval_utils, retrier_decl

Handler = Callable[[dict, Any], Any]

_registry: dict[str, Handler] = {}
_lock = threading.Lock()
_retry_sleep: list[Callable[[float], None]] = [time.sleep]


@dataclass
class LocalLambdaContext:
    """The attributes Powertools reads from a real Lambda context."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    function_version: str = "$LATEST"
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def register(function_name: str, handler: Handler) -> None:
    with _lock:
        _registry[function_name] = handler


def set_retry_sleep(sleep: Callable[[float], None]) -> None:
    """Retry waits really sleep in moto; tests inject a function that does not."""
    _retry_sleep[0] = sleep


def _invoke(function_arn: str, payload: bytes | str | None) -> dict[str, Any]:
    name = function_arn.rsplit(":", 1)[-1]
    handler = _registry.get(name)
    if handler is None:
        error = {
            "errorType": "ResourceNotFoundException",
            "errorMessage": f"No local handler is bound to {name!r}.",
        }
        return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": error}
    event = json.loads(payload) if payload else {}
    context = LocalLambdaContext(name, function_arn, aws_request_id=str(uuid.uuid4()))
    try:
        result = handler(event, context)
    except Exception as error:  # noqa: BLE001 - reported to the state machine, as Lambda does
        body = {"errorType": type(error).__name__, "errorMessage": str(error)}
        return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": body}
    # A JSON round trip, as the real service does: the state machine sees plain JSON.
    return {"StatusCode": 200, "Payload": json.loads(json.dumps(result))}


def _invoke_lambda_function(parameters: dict, region: str, state_credentials: Any) -> dict:
    return _invoke(parameters["FunctionName"], parameters.get("Payload"))


def _exec_lambda_function(env, parameters: dict, region: str, account: str, credentials) -> None:
    response = _invoke(parameters["FunctionName"], parameters.get("Payload"))
    if response.get("FunctionError"):
        raise lambda_eval_utils.LambdaFunctionErrorException(
            response["FunctionError"], json.dumps(response["Payload"], separators=(",", ":"))
        )
    env.stack.append(response)


class _InjectableTime:
    """Stands in for the ``time`` module inside moto's retrier, so its waits are ours."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        _retry_sleep[0](seconds)


def install() -> None:
    """Idempotent: safe to call from every entry point."""
    lambda_eval_utils._invoke_lambda_function = _invoke_lambda_function
    lambda_eval_utils.exec_lambda_function = _exec_lambda_function
    retrier_decl.time = _InjectableTime()


def is_installed() -> bool:
    return lambda_eval_utils._invoke_lambda_function is _invoke_lambda_function


__all__ = ["LocalLambdaContext", "install", "is_installed", "register", "set_retry_sleep"]
