"""Powertools logger, tracer and metrics shared by every handler.

Logs go to stderr so a CLI's stdout stays machine-readable; Lambda sends both to CloudWatch.
Never log transcript text, emails or tokens: log ids and counts.
"""

from __future__ import annotations

import os
import sys

import wrapt
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from coaching.no_tracing import NoTracing

NAMESPACE = "CoachingPlatform"

# What the functions call out to, by the X-Ray patcher's name and the module whose import
# makes it patchable: AWS (botocore), PostgreSQL (every connection comes from psycopg_pool's
# pool, which the psycopg patcher wraps with psycopg's own connect) and OpenAI (httpx).
# Powertools' default, patch_all, imports every library X-Ray knows (sqlite3, requests,
# httpx, psycopg...) during every function's init; each of these is patched when it is first
# imported instead, so a function pays only for what it loads.
TRACED_LIBRARIES = {"botocore": "botocore", "psycopg": "psycopg_pool", "httpx": "httpx"}


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


def _patch_when_imported(tracer: Tracer) -> None:
    for library, module in TRACED_LIBRARIES.items():
        wrapt.when_imported(module)(lambda _module, library=library: tracer.patch([library]))


# Outside Lambda nothing collects traces: skip the X-Ray SDK and the client it creates.
if _in_lambda():
    tracer = Tracer(service=SERVICE, auto_patch=False)
    _patch_when_imported(tracer)  # does nothing when tracing is disabled
else:
    tracer = Tracer(service=SERVICE, provider=NoTracing())
metrics = (
    Metrics(namespace=NAMESPACE, service=SERVICE)
    if _in_lambda()
    else Metrics(provider=_DiscardingEMFProvider(namespace=NAMESPACE, service=SERVICE))
)

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
