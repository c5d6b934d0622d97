"""Powertools logger, tracer and metrics shared by every handler.

Logs go to stderr so a CLI's stdout stays machine-readable; Lambda sends both to CloudWatch.
Never log transcript text, emails or tokens: log ids and counts.
"""

from __future__ import annotations

import sys

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="coaching", stream=sys.stderr)
tracer = Tracer(service="coaching")
metrics = Metrics(namespace="CoachingPlatform", service="coaching")

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
