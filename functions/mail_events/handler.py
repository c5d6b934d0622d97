"""Lambda: SES's bounces and complaints on follow-ups (EventBridge, from the configuration
set's event destination: cdk/mail.py).

Marks the follow-up 'failed' with SES's reason and, for a hard bounce or a complaint, the
client's address suppressed. A redelivered event changes nothing. Logs the outcome only:
never an address or a subject.
"""

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.adapters.aws.ses_events import NotAMailEvent, mail_event
from coaching.composition import Ports, lambda_ports
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.usecases.mail_events import record_mail_event


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context, ports: Ports | None = None) -> dict:
    try:
        feedback = mail_event(event)
    except NotAMailEvent as error:
        # The rule routes bounces and complaints only; anything else is not retried.
        logger.warning("not an SES bounce or complaint", extra={"why": str(error)})
        return {"outcome": "ignored"}
    ports = ports or lambda_ports()
    outcome = record_mail_event(ports.mail_event_ports, feedback)
    if outcome == "recorded":
        metrics.add_metric(name=f"FollowUp{feedback.kind.title()}", unit=MetricUnit.Count, value=1)
    logger.info(
        "SES event applied",
        extra={"kind": feedback.kind, "suppress": feedback.suppress, "outcome": outcome},
    )
    return {"outcome": outcome}
