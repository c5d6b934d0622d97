"""Lambda: sends the coaches' held notices (daily digests, notices held past quiet hours),
invoked by an EventBridge rule every few minutes (cdk/schedules.py).

One email per coach with due notices, each batch claimed first and keyed for the mailer, so a
retried invocation sends nothing twice (coaching.usecases.notice_digest).
"""

import datetime as dt

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.composition import Ports, lambda_ports
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.usecases.notice_digest import send_held_notices


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(
    event: dict, context, ports: Ports | None = None, now: dt.datetime | None = None
) -> dict:
    ports = ports or lambda_ports()
    emails = send_held_notices(ports.coach_notices, now or dt.datetime.now(dt.UTC))
    metrics.add_metric(name="CoachNoticeEmails", unit=MetricUnit.Count, value=emails)
    logger.info("held coach notices sent", extra={"emails": emails})
    return {"emails": emails}
