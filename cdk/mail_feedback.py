"""SES's bounces and complaints on the default event bus, routed to `mail_events`, which marks
the follow-up failed and the client's address suppressed (coaching.usecases.mail_events).

Only this stack's configuration set's events match. An event the function still fails on
after EventBridge's retries lands in a dead-letter queue, and an alarm says so: a bounce
lost would let the platform keep emailing a dead address.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.mail import CoachMail

# SES's detail-types for the two events (EventBridge destination of a configuration set).
FEEDBACK_DETAIL_TYPES = ("Email Bounced", "Email Complaint Received")
FEEDBACK_RETRY_ATTEMPTS = 4
FEEDBACK_MAX_EVENT_AGE = Duration.hours(6)
ALARM_SUPPRESSION = {
    "id": "HIPAA.Security-CloudWatchAlarmAction",
    "reason": "Its action (the operations SNS topic) is joined by the monitoring construct, "
    "which owns the topic every operational alarm notifies.",
}


class MailFeedback(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, mail: CoachMail, handler: lambda_.IFunction
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=RemovalPolicy.RETAIN,
        )
        NagSuppressions.add_resource_suppressions(
            self.dead_letters,
            [
                {
                    "id": "AwsSolutions-SQS3",
                    "reason": "This queue is itself the dead-letter destination of the SES "
                    "events mail_events failed on; a dead-letter queue needs no dead-letter queue.",
                }
            ],
        )
        self.rule = events.Rule(
            self,
            "BouncesAndComplaints",
            description="SES bounces and complaints of the platform's email: mark follow-ups",
            event_pattern=events.EventPattern(
                source=["aws.ses"],
                detail_type=list(FEEDBACK_DETAIL_TYPES),
                detail={
                    "mail": {
                        "tags": {
                            "ses:configuration-set": [mail.configuration_set.configuration_set_name]
                        }
                    }
                },
            ),
        )
        self.rule.add_target(
            targets.LambdaFunction(
                handler,
                retry_attempts=FEEDBACK_RETRY_ATTEMPTS,
                max_event_age=FEEDBACK_MAX_EVENT_AGE,
                dead_letter_queue=self.dead_letters,
            )
        )
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "DeadLettersAlarm",
            alarm_description="An SES bounce or complaint could not be applied to its "
            "follow-up: it is in the mail feedback dead-letter queue. See the mail_events "
            "function's logs, fix the cause, then send the message to the function again.",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        NagSuppressions.add_resource_suppressions(self.dead_letter_alarm, [ALARM_SUPPRESSION])
