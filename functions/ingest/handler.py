"""Lambda: an S3 ObjectCreated event under incoming/ starts the session pipeline."""

from functools import lru_cache
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event, event_source

from coaching import composition
from coaching.config import get_settings
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.ports.workflow import Workflow
from coaching.usecases.ingest_drop import ingest_drop


@lru_cache(maxsize=1)
def _workflow() -> Workflow:
    """The session pipeline from the composition root, once per Lambda environment."""
    return composition.workflow()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context, workflow=None) -> dict:
    started = []
    for record in event.records:
        obj = record.s3.get_object
        key = unquote_plus(obj["key"])  # S3 URL-encodes keys in events
        version = obj.get("versionId") or obj.get("eTag") or obj.get("sequencer") or ""
        started.append(
            ingest_drop(
                workflow or _workflow(),
                record.s3.bucket.name,
                key,
                version,
                get_settings().default_organization_id,
            )
        )
        metrics.add_metric(name="TranscriptDropped", unit=MetricUnit.Count, value=1)
    logger.info("drops started", extra={"count": len(started)})
    return {"started": started}
