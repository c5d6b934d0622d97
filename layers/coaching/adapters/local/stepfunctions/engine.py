"""One state machine run by moto's Step Functions interpreter, its Lambda tasks bound to
handlers in this process.

moto would send a Lambda task to its Lambda backend (Docker). Its interpreter calls
``lambda_eval_utils._invoke_lambda_function`` (and ``exec_lambda_function``) for every task;
an engine replaces both with its own dispatch by function name (the ARN's last part) to the
handlers it was built with, answering as AWS Lambda does: the handler's return value as
payload, or ``FunctionError: Unhandled`` with ``{errorType, errorMessage}`` when it raises.
Retry waits go through the engine's ``retry_sleep``.

Those hooks are moto's module attributes, so one engine serves the interpreter at a time:
the composition root builds one per process, and an engine binds itself again each time it
starts a run (cheap), taking the interpreter back from any other (a test's own engine).
This is a private API: moto is pinned exactly and tests/integration/test_asl_binding_canary.py
fails when it stops working.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.adapters.local.stepfunctions import interpreter_cache
from coaching.adapters.local.stepfunctions.interpreter import (
    lambda_eval_utils,
    retrier_decl,
    stepfunctions_parser_backends,
)

Handler = Callable[[dict[str, Any], Any], Any]
Execution = Any  # moto's parser Execution: status, output, error, cause, name, exec_arn

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def function_arn(name: str, account_id: str = ACCOUNT_ID, region: str = REGION) -> str:
    """The ARN a definition names a bound handler by: only its last part is dispatched on."""
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def function_name_of(reference: str) -> str:
    """The function a Lambda reference names: an ARN (`arn:...:function:NAME[:QUALIFIER]`),
    `NAME:QUALIFIER` or `NAME`. A qualifier (an alias such as `live`, or a version) still runs
    the function's one bound handler."""
    parts = reference.split(":")
    return parts[6] if reference.startswith("arn:") and len(parts) > 6 else parts[0]


class StepFunctionsEngine:
    """Runs ``definition`` (ASL text, function ARNs filled in) with each Lambda task answered
    by ``handlers[<function name>]``.

    The state machine is created in moto's in-memory backend under ``name`` (or updated to
    ``definition`` when one of that name exists). Runs are started, waited for and read by
    their execution name, as in Step Functions.
    """

    def __init__(
        self,
        definition: str,
        handlers: Mapping[str, Handler],
        *,
        name: str = "session-pipeline",
        retry_sleep: Callable[[float], None] = time.sleep,
        poll_seconds: float = 0.002,
    ) -> None:
        self.definition = definition
        self.name = name
        # Retry waits really sleep in moto; tests hand in a function that does not.
        self.retry_sleep = retry_sleep
        self._handlers = dict(handlers)
        self._poll_seconds = poll_seconds
        self._lock = threading.Lock()
        # Threads calling each run's on_finish, by run name: wait() waits for them too.
        self._finishers: dict[str, threading.Thread] = {}
        self._retry_time = _RetryTime(self)
        self.bind()
        self.state_machine_arn = self._ensure_state_machine()

    # --- the handlers ---------------------------------------------------------------------

    def set_handler(self, function_name: str, handler: Handler) -> Handler | None:
        """Binds ``handler`` to ``function_name``; returns the one it replaces."""
        with self._lock:
            previous = self._handlers.get(function_name)
            self._handlers[function_name] = handler
            return previous

    def invoke(self, function_arn: str, payload: bytes | str | None) -> dict[str, Any]:
        """What Lambda's Invoke answers for the bound handler of ``function_arn``."""
        name = function_name_of(function_arn)
        handler = self._handlers.get(name)
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

    # --- the interpreter's hooks ----------------------------------------------------------

    def bind(self) -> None:
        """Makes moto's interpreter run Lambda tasks (and Retry waits) through this engine."""
        interpreter_cache.install()
        lambda_eval_utils._invoke_lambda_function = self._invoke_lambda_function
        lambda_eval_utils.exec_lambda_function = self._exec_lambda_function
        retrier_decl.time = self._retry_time

    def is_bound(self) -> bool:
        return bool(
            lambda_eval_utils._invoke_lambda_function == self._invoke_lambda_function
            and retrier_decl.time is self._retry_time
        )

    def _invoke_lambda_function(
        self, parameters: dict[str, Any], region: str, state_credentials: Any
    ) -> dict[str, Any]:
        return self.invoke(parameters["FunctionName"], parameters.get("Payload"))

    def _exec_lambda_function(
        self, env: Any, parameters: dict[str, Any], region: str, account: str, credentials: Any
    ) -> None:
        response = self.invoke(parameters["FunctionName"], parameters.get("Payload"))
        if response.get("FunctionError"):
            raise lambda_eval_utils.LambdaFunctionErrorException(
                response["FunctionError"], json.dumps(response["Payload"], separators=(",", ":"))
            )
        env.stack.append(response)

    # --- runs -----------------------------------------------------------------------------

    @property
    def _backend(self) -> Any:
        # Looked up each time: moto may replace its backends (a reset by `mock_aws`).
        return stepfunctions_parser_backends[ACCOUNT_ID][REGION]

    def _ensure_state_machine(self) -> str:
        with self._lock:
            for machine in self._backend.state_machines:
                if machine.name == self.name:
                    if machine.definition != self.definition:
                        self._backend.update_state_machine(machine.arn, definition=self.definition)
                    return str(machine.arn)
            machine = self._backend.create_state_machine(
                name=self.name,
                definition=self.definition,
                roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/local-{self.name}",
                sm_type="STANDARD",
            )
            return str(machine.arn)

    def execution_arn(self, name: str) -> str:
        return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{self.name}:{name}"

    def start(
        self,
        name: str,
        payload: dict[str, Any],
        on_finish: Callable[[Execution], None] | None = None,
    ) -> Execution:
        """Starts a run named ``name``; ``on_finish(execution)`` is called in a thread of its
        own once it has ended (before ``wait`` returns)."""
        self.bind()
        # Cheap, and it survives a reset of moto's in-memory backends under our feet.
        self.state_machine_arn = self._ensure_state_machine()
        execution = self._backend.start_execution(
            self.state_machine_arn, name=name, execution_input=json.dumps(payload)
        )
        if on_finish is not None:
            finisher = threading.Thread(
                target=self._finish, args=(execution, on_finish), name=f"finish-{name}", daemon=True
            )
            with self._lock:
                self._finishers[name] = finisher
            finisher.start()
        return execution

    def _finish(self, execution: Execution, on_finish: Callable[[Execution], None]) -> None:
        while execution.status == "RUNNING":
            time.sleep(self._poll_seconds)
        on_finish(execution)

    def describe(self, name: str) -> Execution:
        return self._backend.describe_execution(self.execution_arn(name))

    def wait(self, name: str, timeout_seconds: float = 600) -> Execution:
        """The run once it has ended and its ``on_finish`` has returned (or, after
        ``timeout_seconds``, as it is: still RUNNING)."""
        execution = self.describe(name)
        deadline = time.monotonic() + timeout_seconds
        while execution.status == "RUNNING":
            if time.monotonic() > deadline:
                return execution
            time.sleep(self._poll_seconds)
        with self._lock:
            finisher = self._finishers.pop(name, None)
        if finisher is not None:
            finisher.join(timeout=max(deadline - time.monotonic(), 1.0))
        return execution

    def run(self, name: str, payload: dict[str, Any], timeout_seconds: float = 600) -> Execution:
        """Starts a run and waits for its end."""
        self.start(name, payload)
        return self.wait(name, timeout_seconds)

    def history(self, name: str) -> list[dict[str, Any]]:
        output = self._backend.get_execution_history(self.execution_arn(name))
        return list(output["events"])

    def delete(self) -> None:
        """Removes the state machine from moto's backend (a test's or a rehearsal's own)."""
        self._backend.delete_state_machine(self.state_machine_arn)


class _RetryTime:
    """Stands in for the ``time`` module inside moto's retrier, so its waits are the engine's."""

    def __init__(self, engine: StepFunctionsEngine) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        self._engine.retry_sleep(seconds)
