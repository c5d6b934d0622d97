"""Lambda: an S3 ObjectCreated event under incoming/ starts the session pipeline."""

from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event

from coaching.composition import Ports, lambda_ports
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.usecases.ingest_drop import ingest_drop


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(raw_event: dict, context, ports: Ports | None = None) -> dict:
    ports = ports or lambda_ports()
    event = S3Event(raw_event)  # parsed here: event_source would not pass `ports` on
    started = []
    for record in event.records:
        obj = record.s3.get_object
        key = unquote_plus(obj["key"])  # S3 URL-encodes keys in events
        version = obj.get("versionId") or obj.get("eTag") or obj.get("sequencer") or ""
        started.append(
            ingest_drop(
                ports.workflow,
                record.s3.bucket.name,
                key,
                version,
                ports.settings.default_organization_id,
            )
        )
        metrics.add_metric(name="TranscriptDropped", unit=MetricUnit.Count, value=1)
    logger.info("drops started", extra={"count": len(started)})
    return {"started": started}
