"""Lambda: export runs (cdk/exports.py).

{"run_id"}: a run the API queued, invoked asynchronously (LambdaExportJobStarter); Lambda
retries it twice, and a retried run resumes (files already written are kept by checksum).
{"schedule_id", "scheduled_time"}: an export schedule's time (EventBridge Scheduler). The
schedules due then are fired (compare-and-set: each occurrence once, however many ticks) and
their runs run here, in this invocation: the function cannot name its own alias to invoke.
"""

import dataclasses
import datetime as dt
import uuid

from pydantic import BaseModel, model_validator

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.composition import lambda_ports
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.usecases.export_jobs import ExportJobPorts, attempt_job, fire_due

# The metric cdk/exports.py alarms on (the namespace and `service` dimension: Powertools').
FAILED_RUNS_METRIC = "ExportRunsFailed"


class ExportEvent(BaseModel):
    run_id: uuid.UUID | None = None
    schedule_id: uuid.UUID | None = None
    scheduled_time: dt.datetime | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "ExportEvent":
        if (self.run_id is None) == (self.schedule_id is None):
            raise ValueError("an export event names a run_id or a schedule_id")
        return self


class RunsHere:
    """The starter of scheduled runs: collects them, for this invocation to run."""

    def __init__(self) -> None:
        self.run_ids: list[uuid.UUID] = []

    def start(self, run_id: uuid.UUID) -> None:
        self.run_ids.append(run_id)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(
    event: dict,
    context,
    ports: ExportJobPorts | None = None,
    now: dt.datetime | None = None,
) -> dict:
    ports = ports or lambda_ports().export_job_ports
    request = ExportEvent.model_validate(event)
    if request.run_id is not None:
        run_ids = [request.run_id]
    else:
        here = RunsHere()
        # The occurrence Scheduler fired, even when this invocation is early by a clock's drift.
        moment = max(filter(None, [now or dt.datetime.now(dt.UTC), request.scheduled_time]))
        fire_due(dataclasses.replace(ports, starter=here), moment)
        run_ids = here.run_ids
    outcomes = {run_id: attempt_job(ports, run_id) for run_id in run_ids}
    finished = [r for r, outcome in outcomes.items() if outcome and outcome.result is not None]
    failed = [r for r, outcome in outcomes.items() if outcome and outcome.failed]
    metrics.add_metric(name="ExportRunsFinished", unit=MetricUnit.Count, value=len(finished))
    # A failed run is recorded on it, not raised (Lambda's retry would not mend it): this
    # count is what the exports' failure alarm reads besides the function's errors.
    metrics.add_metric(name=FAILED_RUNS_METRIC, unit=MetricUnit.Count, value=len(failed))
    summary = {
        "runs": [str(r) for r in run_ids],
        "succeeded": [str(r) for r in finished],
        "failed": [str(r) for r in failed],
    }
    logger.info(
        "export runs done",
        extra={"runs": len(run_ids), "succeeded": len(finished), "failed": len(failed)},
    )
    return summary
