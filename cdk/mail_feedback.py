"""SES's bounces and complaints on the default event bus, routed to `mail_events`, which marks
the follow-up failed and the client's address suppressed (coaching.usecases.mail_events).

Only this stack's configuration set's events match. An event the function still fails on
after EventBridge's retries lands in a dead-letter queue, and an alarm says so: a bounce
lost would let the platform keep emailing a dead address.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk.failures import alarm_on_dead_letters, dead_letter_queue
from cdk.mail import CoachMail

# SES's detail-types for the two events (EventBridge destination of a configuration set).
FEEDBACK_DETAIL_TYPES = ("Email Bounced", "Email Complaint Received")
FEEDBACK_RETRY_ATTEMPTS = 4
FEEDBACK_MAX_EVENT_AGE = Duration.hours(6)


class MailFeedback(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, mail: CoachMail, handler: lambda_.IFunction
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = dead_letter_queue(
            self,
            "DeadLetters",
            holds="the SES events mail_events failed on",
            retention=Duration.days(14),
            removal_policy=RemovalPolicy.RETAIN,
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
        self.dead_letter_alarm = alarm_on_dead_letters(
            self,
            "DeadLettersAlarm",
            self.dead_letters,
            description="An SES bounce or complaint could not be applied to its "
            "follow-up: it is in the mail feedback dead-letter queue. See the mail_events "
            "function's logs, fix the cause, then send the message to the function again.",
        )
