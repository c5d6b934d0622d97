"""Builds the thin Lambda handlers of the pipeline steps: parse event -> use case -> reply.

One decorator stack for all of them (logger with the session as correlation id, tracer,
metrics) so each function file is a single line naming its step; the step's use case and
input model come from the one list of steps (usecases/pipeline_steps.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

import coaching.adapters.postgres  # noqa: F401 - every step reads the step ledger: load its driver during init
from coaching.composition import lambda_ports
from coaching.domain.errors import InvalidStepInput
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_steps import pipeline_step_named

Model = TypeVar("Model", bound=BaseModel)


def pipeline_handler(step_name: str) -> Callable[..., dict]:
    """The Lambda handler of the listed step of this name."""
    step = pipeline_step_named(step_name)
    return pipeline_step(
        step.use_case(), step.input_model, step=step.name, one_transaction=step.one_transaction
    )


def pipeline_step(
    use_case: Callable[[Dependencies, Model], dict],
    model: type[Model],
    *,
    step: str,
    one_transaction: bool = False,
) -> Callable[..., dict]:
    @logger.inject_lambda_context(correlation_id_path="session_id", clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(
        event: dict[str, Any], context: LambdaContext, deps: Dependencies | None = None
    ) -> dict:
        ports = deps or lambda_ports().dependencies
        try:
            request = _parse(model, event, step)
            # Outside the step's transaction: a push's failure must not abort its work.
            stream_step(ports, request, step, "step_started")
            with _transaction(ports, request, one_transaction):
                result = run_once(ports, step, request, use_case)
            stream_step(ports, request, step, "step_finished")
        except Exception as error:
            metrics.add_metric(name=f"{step}Failed", unit=MetricUnit.Count, value=1)
            logger.warning("step failed", extra={"step": step, "error_type": type(error).__name__})
            raise
        metrics.add_metric(name=f"{step}Succeeded", unit=MetricUnit.Count, value=1)
        logger.info("step finished", extra={"step": step})
        return result

    lambda_handler.__name__ = f"{step}_handler"
    return lambda_handler


def stream_step(deps: Dependencies, request: BaseModel, step: str, news: str) -> None:
    """Tells the session's subscribed screens (usecases/session_push.py) that ``step``
    started or finished. Never fails the step."""
    org, session = request.organization_id, request.session_id  # type: ignore[attr-defined]

    def session_coach() -> uuid.UUID | None:
        record = deps.sessions.get_session(org, session)
        return record.coach_id if record else None

    message = {"type": news, "session_id": str(session), "step": step}
    try:
        deps.sockets.push_to_subscribers(org, session, session_coach, message)
    except Exception as error:  # noqa: BLE001 - a push must never fail a step
        logger.warning("could not stream a step", extra={"step": step, "error": str(error)})


def run_once(
    deps: Dependencies, step: str, request: Model, use_case: Callable[[Dependencies, Model], dict]
) -> dict:
    """Idempotent on (session, step, item): a step that finished returns its recorded output.

    Step Functions may deliver a task twice, and a redrive re-enters steps that already ran;
    neither must repeat their work (a second email, a second summary).
    """
    org, session = request.organization_id, request.session_id  # type: ignore[attr-defined]
    item = request.step_item()  # type: ignore[attr-defined]
    done = deps.step_ledger.completed_step(org, session, step, item)
    if done is not None:
        metrics.add_metric(name=f"{step}Reused", unit=MetricUnit.Count, value=1)
        return done
    result = use_case(deps, request)
    deps.step_ledger.record_step(org, session, step, item, result)
    return result


def _transaction(deps: Dependencies, request: BaseModel, shared: bool) -> AbstractContextManager:
    """The step's one transaction (the ledger's check and record included), or none."""
    if not shared:
        return nullcontext()
    return deps.transactions.scoped(request.organization_id)  # type: ignore[attr-defined]


def _parse(model: type[Model], event: dict[str, Any], step: str) -> Model:
    try:
        return model.model_validate(event)
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        raise InvalidStepInput(f"{step} received an invalid input: {fields}.") from None
