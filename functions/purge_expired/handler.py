"""Lambda: the scheduled retention purge (EventBridge, daily).

Deletes every session older than its organization's retention_days, with an audit record per
session (actor system:retention). A session that could not be deleted fails the invocation
after the others are done, so the error alarm fires and tomorrow's run tries it again.
"""

import datetime as dt

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.composition import Ports, lambda_ports
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.usecases.retention import purge_expired


class RetentionIncomplete(RuntimeError):
    pass


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context, ports: Ports | None = None) -> dict:
    ports = ports or lambda_ports()
    report = purge_expired(ports.dependencies, dt.datetime.now(dt.UTC), audit=ports.audit_log)
    metrics.add_metric(name="SessionsPurged", unit=MetricUnit.Count, value=report.deleted)
    summary = {
        "organizations": len(report.cutoff_by_organization),
        "deleted": report.deleted,
        "failed": report.failed,
    }
    logger.info("retention purge finished", extra=summary)
    if report.failed:
        metrics.add_metric(name="SessionsPurgeFailed", unit=MetricUnit.Count, value=report.failed)
        raise RetentionIncomplete(f"{report.failed} expired session(s) could not be deleted.")
    return summary
