"""Powertools logger, tracer and metrics shared by every handler.

Logs go to stderr so a CLI's stdout stays machine-readable; Lambda sends both to CloudWatch.
Never log transcript text, emails or tokens: log ids and counts.
"""

from __future__ import annotations

import os
import sys

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from coaching.no_tracing import NoTracing

NAMESPACE = "CoachingPlatform"


class _DiscardingEMFProvider(AmazonCloudWatchEMFProvider):
    """Outside Lambda nobody collects EMF lines, and stdout belongs to the CLI's JSON.

    (Powertools' own switch, POWERTOOLS_METRICS_DISABLED, stops flushing but not collecting,
    and prints a batch to stdout once 100 values pile up.)
    """

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        self.clear_metrics()


def _in_lambda() -> bool:
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ


# Each function's POWERTOOLS_SERVICE_NAME (set by CDK) names it; one process locally.
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "coaching")

logger = Logger(service=SERVICE, stream=sys.stderr)
# Outside Lambda nothing collects traces: skip the X-Ray SDK and the client it creates.
tracer = Tracer(service=SERVICE) if _in_lambda() else Tracer(service=SERVICE, provider=NoTracing())
metrics = (
    Metrics(namespace=NAMESPACE, service=SERVICE)
    if _in_lambda()
    else Metrics(provider=_DiscardingEMFProvider(namespace=NAMESPACE, service=SERVICE))
)

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
