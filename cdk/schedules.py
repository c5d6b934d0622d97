"""Jobs on a clock: the daily purge of sessions past their retention period, the scheduled
follow-ups sent when due (EventBridge Scheduler, every minute), and the coaches' held notices
(daily digests, notices held past quiet hours) every few minutes."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.failures import alarm_on_any, alarm_on_dead_letters, dead_letter_queue

# 03:00 UTC: after the working day in Europe and the Americas' evening.
PURGE_SCHEDULE = events.Schedule.cron(minute="0", hour="3")
PURGE_RETRY_ATTEMPTS = 2
# A follow-up scheduled for 10:00 leaves within a minute of it.
SEND_RATE = Duration.minutes(1)
SEND_RETRY_ATTEMPTS = 2
# Past this a tick is dropped (to the dead letters): the next tick sends what it would have.
SEND_MAX_EVENT_AGE = Duration.minutes(5)
# Three failed ticks in a row: scheduled follow-ups are not leaving.
SEND_FAILED_TICKS_TO_ALARM = 3


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
        self.failure_alarm = alarm_on_any(
            self,
            "FailedAlarm",
            description="The daily retention purge failed: sessions past their retention "
            "period may still be stored. See the purge_expired function's logs.",
            metric=purge.metric_errors(period=Duration.days(1), statistic=cloudwatch.Stats.SUM),
        )


class ScheduledSends(Construct):
    """EventBridge Scheduler invokes `send_scheduled` every minute; it sends every scheduled
    follow-up that is due (the same `send_due` as `coach serve`'s local scheduler).

    One recurring schedule rather than one `at()` schedule per follow-up: nothing to create,
    move or delete when a coach schedules, reschedules or cancels (the database alone says
    what is due), and no schedule left behind by a follow-up sent by hand. Each send is
    exactly once, so a retried or overlapping tick emails nobody twice. A tick that still
    fails after the scheduler's retries goes to a dead-letter queue; an alarm fires when
    ticks keep failing."""

    def __init__(self, scope: Construct, construct_id: str, *, send: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = dead_letter_queue(
            self,
            "DeadLetters",
            holds="the send schedule's failed ticks",
            retention=Duration.days(4),
            removal_policy=RemovalPolicy.DESTROY,  # missed ticks: the next one catches up
        )
        # Its own role, assumable by this account's schedules only; the target grants it
        # lambda:InvokeFunction on send_scheduled and sqs:SendMessage on the dead letters.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            description="EventBridge Scheduler: invoke send_scheduled every minute",
        )
        self.schedule = scheduler.Schedule(
            self,
            "EveryMinute",
            description="Send the scheduled follow-ups that are due",
            schedule=scheduler.ScheduleExpression.rate(SEND_RATE),
            target=scheduler_targets.LambdaInvoke(
                send,
                role=self.role,
                dead_letter_queue=self.dead_letters,
                retry_attempts=SEND_RETRY_ATTEMPTS,
                max_event_age=SEND_MAX_EVENT_AGE,
                input=scheduler.ScheduleTargetInput.from_object(
                    {
                        "scheduled_time": scheduler.ContextAttribute.scheduled_time,
                        "schedule": scheduler.ContextAttribute.schedule_arn,
                    }
                ),
            ),
        )
        NagSuppressions.add_resource_suppressions(
            self.role,
            [
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK's grant-built policy for this one role (invoke send_scheduled, "
                    "send to its dead letters); nothing else can attach it.",
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Invokes the send_scheduled function only, by its ARN and its "
                    "versions (the live alias).",
                },
            ],
            apply_to_children=True,
        )
        self.failure_alarm = alarm_on_any(
            self,
            "FailedAlarm",
            description="Scheduled follow-ups are not being sent: send_scheduled failed "
            f"{SEND_FAILED_TICKS_TO_ALARM} minutes in a row. See its logs; what is due is "
            "sent by the first tick that works.",
            metric=send.metric_errors(period=SEND_RATE, statistic=cloudwatch.Stats.SUM),
            evaluation_periods=SEND_FAILED_TICKS_TO_ALARM,
        )
        # A dead letter: the scheduler could not invoke the function at all (a permission, a
        # throttle), which the function's own error count never shows.
        self.dead_letter_alarm = alarm_on_dead_letters(
            self,
            "DeadLettersAlarm",
            self.dead_letters,
            description="The send schedule could not invoke send_scheduled: its tick is "
            "in the dead-letter queue (with the error). Scheduled follow-ups wait until a "
            "tick gets through.",
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
        self.failure_alarm = alarm_on_any(
            self,
            "FailedAlarm",
            description="Coaches' held notices could not be sent for an hour: digests "
            "and notices after quiet hours are late. See the send_coach_notices function's logs.",
            metric=sender.metric_errors(period=Duration.hours(1), statistic=cloudwatch.Stats.SUM),
        )
