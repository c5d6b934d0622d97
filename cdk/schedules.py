"""Jobs on a clock: the daily purge of sessions past their retention period, and the coaches'
held notices (daily digests, notices held past quiet hours) every few minutes."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagSuppressions
from constructs import Construct

# 03:00 UTC: after the working day in Europe and the Americas' evening.
PURGE_SCHEDULE = events.Schedule.cron(minute="0", hour="3")
PURGE_RETRY_ATTEMPTS = 2


class RetentionPurge(Construct):
    """EventBridge invokes `purge_expired` once a day. A failed run is retried by EventBridge,
    and otherwise by the next day's run (the purge is idempotent); an alarm tells support
    staff when a run fails, since data kept past its retention period is a compliance issue."""

    def __init__(self, scope: Construct, construct_id: str, *, purge: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Daily",
            description="Purge sessions past their organization's retention period",
            schedule=PURGE_SCHEDULE,
        )
        self.rule.add_target(
            targets.LambdaFunction(
                purge, retry_attempts=PURGE_RETRY_ATTEMPTS, max_event_age=Duration.hours(2)
            )
        )
        self.failure_alarm = cloudwatch.Alarm(
            self,
            "FailedAlarm",
            alarm_description="The daily retention purge failed: sessions past their retention "
            "period may still be stored. See the purge_expired function's logs.",
            metric=purge.metric_errors(period=Duration.days(1), statistic=cloudwatch.Stats.SUM),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        NagSuppressions.add_resource_suppressions(
            self.failure_alarm,
            [
                {
                    "id": "HIPAA.Security-CloudWatchAlarmAction",
                    "reason": "Its action (the operations SNS topic) is joined by the monitoring "
                    "construct, which owns the topic every operational alarm notifies.",
                }
            ],
        )


class CoachNoticeSchedule(Construct):
    """EventBridge invokes `send_coach_notices` every ``every`` (the notices' lateness at
    most: a digest at 08:00 goes by 08:00 plus that). No retries of its own: the next run
    sends what one missed, and a retried run sends nothing twice (claimed batches). An alarm
    tells operations when runs fail, since then coaches are not told about their sessions."""

    def __init__(
        self, scope: Construct, construct_id: str, *, sender: lambda_.IFunction, every: Duration
    ) -> None:
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Every",
            description="Send coaches their held notices (digests, after quiet hours)",
            schedule=events.Schedule.rate(every),
        )
        self.rule.add_target(targets.LambdaFunction(sender, retry_attempts=0, max_event_age=every))
        self.failure_alarm = cloudwatch.Alarm(
            self,
            "FailedAlarm",
            alarm_description="Coaches' held notices could not be sent for an hour: digests "
            "and notices after quiet hours are late. See the send_coach_notices function's logs.",
            metric=sender.metric_errors(period=Duration.hours(1), statistic=cloudwatch.Stats.SUM),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        NagSuppressions.add_resource_suppressions(
            self.failure_alarm,
            [
                {
                    "id": "HIPAA.Security-CloudWatchAlarmAction",
                    "reason": "Its action (the operations SNS topic) is joined by the monitoring "
                    "construct, which owns the topic every operational alarm notifies.",
                }
            ],
        )
