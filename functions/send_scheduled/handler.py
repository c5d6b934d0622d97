"""Lambda: scheduled follow-ups that are due, sent (EventBridge Scheduler, every minute:
cdk/schedules.py) — the same `send_due` as `coach serve`'s scheduler.

A system task across organizations, as the retention purge is; each send is exactly once
(usecases/sending.py), so an overlapping or retried tick emails nobody twice.
"""

import datetime as dt

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.composition import Ports, lambda_ports
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.usecases.sending import send_due


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(
    event: dict, context, ports: Ports | None = None, now: dt.datetime | None = None
) -> dict:
    ports = ports or lambda_ports()
    # What is due now, not at the tick's scheduled time: a late or retried tick catches up.
    tried = send_due(ports.sending_ports, now or dt.datetime.now(dt.UTC))
    metrics.add_metric(name="ScheduledSendsTried", unit=MetricUnit.Count, value=tried)
    logger.info("scheduled sends tried", extra={"tried": tried})
    return {"tried": tried}
