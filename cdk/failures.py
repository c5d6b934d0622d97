"""What catches background work that failed: dead-letter queues and the alarms on them.

Every operational alarm here fires on the first failure (threshold 0) and gets its action,
the operations SNS topic, from the monitoring construct (cdk/monitoring.py)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagSuppressions
from constructs import Construct

ALARM_SUPPRESSION = {
    "id": "HIPAA.Security-CloudWatchAlarmAction",
    "reason": "Its action (the operations SNS topic) is joined by the monitoring construct, "
    "which owns the topic every operational alarm notifies.",
}


def alarm_on_any(
    scope: Construct,
    construct_id: str,
    *,
    description: str,
    metric: cloudwatch.IMetric,
    evaluation_periods: int = 1,
) -> cloudwatch.Alarm:
    """An alarm when the metric is above zero in `evaluation_periods` periods in a row."""
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_description=description,
        metric=metric,
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=evaluation_periods,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    NagSuppressions.add_resource_suppressions(alarm, [ALARM_SUPPRESSION])
    return alarm


def dead_letter_queue(
    scope: Construct,
    construct_id: str,
    *,
    holds: str,
    retention: Duration,
    removal_policy: RemovalPolicy,
) -> sqs.Queue:
    """An encrypted, TLS-only queue for what `holds` names (e.g. "ingest's failed S3 events")."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=retention,
        removal_policy=removal_policy,
    )
    NagSuppressions.add_resource_suppressions(
        queue,
        [
            {
                "id": "AwsSolutions-SQS3",
                "reason": f"This queue is itself the dead-letter destination of {holds}; "
                "a dead-letter queue needs no dead-letter queue.",
            }
        ],
    )
    return queue


def alarm_on_dead_letters(
    scope: Construct, construct_id: str, queue: sqs.IQueue, *, description: str
) -> cloudwatch.Alarm:
    """An alarm as soon as a message waits in the dead-letter queue."""
    return alarm_on_any(
        scope,
        construct_id,
        description=description,
        metric=queue.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(5), statistic=cloudwatch.Stats.MAXIMUM
        ),
    )
