"""Monitoring: one KMS-encrypted SNS topic behind every alarm of the stack, the operational
alarms (failed pipeline runs, the dead-letter queue, API 5xx and p95 latency, mail bounces
and complaints) and one CloudWatch dashboard.

The API alarms use the seed's rollback triggers (5XX rate > 1 %, p95 latency > 3 s) and are
attributes (``api_errors_alarm``, ``api_latency_alarm``) so that a deployment (CodeDeploy)
rolls back on the same alarms that page people. Alarms added elsewhere join with ``notify``;
other constructs' graphs join the dashboard with ``add_widgets``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import jsii
from aws_cdk import AspectPriority, Aspects, Duration, IAspect, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct, IConstruct

from cdk.mail import BOUNCE_RATE_ALARM, COMPLAINT_RATE_ALARM, CoachMail

# The seed's rollback triggers, also what pages people.
API_5XX_RATE = 0.01  # API Gateway's 5XXError averaged over requests is the error rate
API_P95_LATENCY_MS = 3000
# Judged every minute, alarming on 3 bad minutes out of 5: one slow cold start or a single
# failed request among few does not page anyone; a canary's trouble shows within minutes.
API_PERIOD = Duration.minutes(1)
API_EVALUATION_PERIODS = 5
API_DATAPOINTS_TO_ALARM = 3
PIPELINE_PERIOD = Duration.minutes(5)


def alarm_topic(scope: Construct, emails: Iterable[str] = ()) -> sns.Topic:
    """The topic every alarm notifies, encrypted with its own rotated key; each address in
    ``emails`` is subscribed once (it must confirm)."""
    key = kms.Key(
        scope,
        "AlarmTopicKey",
        description="Encrypts the alarms' SNS topic",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    # CloudWatch alarms publish to the encrypted topic with this key.
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}},
        )
    )
    topic = sns.Topic(
        scope,
        "AlarmTopic",
        display_name="Coaching platform alarms",
        master_key=key,
        enforce_ssl=True,
    )
    for email in dict.fromkeys(e.strip() for e in emails if e and e.strip()):
        topic.add_subscription(subscriptions.EmailSubscription(email))
    return topic


@jsii.implements(IAspect)
class NotifyTopic:
    """Gives every alarm that notifies nobody the alarm topic as its action, so an alarm
    added by any construct, now or later, reaches people."""

    def __init__(self, topic: sns.ITopic) -> None:
        self._topic = topic

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, cloudwatch.CfnAlarm) and not Stack.of(node).resolve(node.alarm_actions):
            node.alarm_actions = [self._topic.topic_arn]


class Monitoring(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, alarm_emails: Iterable[str] = ()
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = alarm_topic(self, alarm_emails)
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{Stack.of(self).stack_name}-operations",
            default_interval=Duration.hours(3),
        )
        self.alarms: dict[str, cloudwatch.IAlarm] = {}

    # --- alarms ----------------------------------------------------------------------------

    def notify(self, *alarms: cloudwatch.Alarm | cloudwatch.CfnAlarm) -> None:
        """Every alarm of the stack notifies the one topic."""
        for alarm in alarms:
            if isinstance(alarm, cloudwatch.CfnAlarm):
                existing = list(alarm.alarm_actions or [])
                if self.topic.topic_arn not in existing:
                    alarm.alarm_actions = [*existing, self.topic.topic_arn]
            else:
                alarm.add_alarm_action(actions.SnsAction(self.topic))

    def notify_every_alarm_in(self, scope: Construct) -> None:
        Aspects.of(scope).add(NotifyTopic(self.topic), priority=AspectPriority.MUTATING)

    def _alarm(self, name: str, **props) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            f"{name}Alarm",
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            **props,
        )
        self.notify(alarm)
        self.alarms[name] = alarm
        return alarm

    def _rollback_alarm(
        self, name: str, *, what: str, metric: cloudwatch.IMetric, threshold: float
    ) -> cloudwatch.Alarm:
        """One of the seed's rollback triggers on the API stage: the same evaluation window
        for each, and CodeDeploy rolls back on it as well as paging people."""
        return self._alarm(
            name,
            alarm_description=f"{what} in {API_DATAPOINTS_TO_ALARM} of "
            f"{API_EVALUATION_PERIODS} minutes. Deployments roll back on this alarm.",
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=API_EVALUATION_PERIODS,
            datapoints_to_alarm=API_DATAPOINTS_TO_ALARM,
        )

    def watch_pipeline(self, state_machine: sfn.StateMachine) -> None:
        """Any failed, timed-out or aborted run: support staff redrive or replay it."""
        failed = cloudwatch.MathExpression(
            expression="failed + timedOut + aborted",
            using_metrics={
                "failed": state_machine.metric_failed(period=PIPELINE_PERIOD),
                "timedOut": state_machine.metric_timed_out(period=PIPELINE_PERIOD),
                "aborted": state_machine.metric_aborted(period=PIPELINE_PERIOD),
            },
            label="runs that did not succeed",
            period=PIPELINE_PERIOD,
        )
        self.pipeline_failed_alarm = self._alarm(
            "PipelineRunsFailed",
            alarm_description="The session pipeline has runs that failed, timed out or were "
            "aborted. Support staff list them (GET /v1/executions?status=failed) and "
            "redrive or replay each.",
            metric=failed,
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Pipeline runs",
                left=[
                    state_machine.metric_started(period=PIPELINE_PERIOD),
                    state_machine.metric_succeeded(period=PIPELINE_PERIOD),
                    state_machine.metric_failed(period=PIPELINE_PERIOD),
                    state_machine.metric_timed_out(period=PIPELINE_PERIOD),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Pipeline run time (p50, p95)",
                left=[
                    state_machine.metric_time(statistic="p50", period=PIPELINE_PERIOD),
                    state_machine.metric_time(statistic="p95", period=PIPELINE_PERIOD),
                ],
                width=12,
            ),
        )

    def watch_dead_letters(self, alarm: cloudwatch.Alarm, queue_metric: cloudwatch.IMetric) -> None:
        """A dead-letter queue's own alarm (its construct owns it) notifies the topic too."""
        self.notify(alarm)
        self.alarms["DeadLetters"] = alarm
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Dead letters waiting", left=[queue_metric], width=12)
        )

    def watch_api(self, api: apigw.RestApi) -> None:
        # The stage's metrics (ApiName and Stage): what a deployment to this stage changes.
        stage = api.deployment_stage
        errors = stage.metric_server_error(statistic=cloudwatch.Stats.AVERAGE, period=API_PERIOD)
        latency = stage.metric_latency(statistic=cloudwatch.Stats.percentile(95), period=API_PERIOD)
        self.api_errors_alarm = self._rollback_alarm(
            "Api5xxRate",
            what=f"More than {API_5XX_RATE:.0%} of the REST API's requests "
            f"(stage {stage.stage_name}) answered 5XX",
            metric=errors,
            threshold=API_5XX_RATE,
        )
        self.api_latency_alarm = self._rollback_alarm(
            "ApiLatencyP95",
            what=f"The REST API's p95 latency (stage {stage.stage_name}) was over "
            f"{API_P95_LATENCY_MS / 1000:g} s",
            metric=latency,
            threshold=API_P95_LATENCY_MS,
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and errors",
                left=[
                    stage.metric_count(period=API_PERIOD),
                    stage.metric_client_error(period=API_PERIOD),
                    stage.metric_server_error(period=API_PERIOD),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="API latency (p50, p95) against the rollback line",
                left=[
                    stage.metric_latency(statistic="p50", period=API_PERIOD),
                    latency,
                    stage.metric_integration_latency(statistic="p95", period=API_PERIOD),
                ],
                left_annotations=[
                    cloudwatch.HorizontalAnnotation(value=API_P95_LATENCY_MS, label="rollback")
                ],
                width=12,
            ),
        )

    def watch_mail(self, mail: CoachMail) -> None:
        """Bounces and complaints at half of where SES would review the account."""
        period = Duration.hours(1)
        bounce_rate = mail.metric("Reputation.BounceRate", "Maximum", period)
        complaint_rate = mail.metric("Reputation.ComplaintRate", "Maximum", period)
        for name, metric, threshold, what in (
            ("MailBounceRate", bounce_rate, BOUNCE_RATE_ALARM, "bounce"),
            ("MailComplaintRate", complaint_rate, COMPLAINT_RATE_ALARM, "complaint"),
        ):
            self._alarm(
                name,
                alarm_description=f"The {what} rate of the platform's email reached "
                f"{threshold:.2%} (SES reviews an account at twice that). Check the "
                "addresses coaches are told at, and the SES suppression list.",
                metric=metric,
                threshold=threshold,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=1,
            )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Email: bounces, complaints, rejects",
                left=[
                    mail.metric("Bounce", "Sum", period),
                    mail.metric("Complaint", "Sum", period),
                    mail.metric("Reject", "Sum", period),
                ],
                right=[bounce_rate, complaint_rate],
                width=24,
            )
        )

    def graph_functions(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        """Errors, throttles and p95 duration of every function, one line each."""
        period = Duration.minutes(5)
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[f.metric_errors(period=period, label=n) for n, f in functions.items()],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Function throttles",
                left=[f.metric_throttles(period=period, label=n) for n, f in functions.items()],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Function duration p95",
                left=[
                    f.metric_duration(statistic="p95", period=period, label=n)
                    for n, f in functions.items()
                ],
                width=8,
            ),
        )

    def add_widgets(self, *widgets: cloudwatch.IWidget) -> None:
        """Other constructs' graphs (the database, the WebSocket API...) on the same board."""
        self.dashboard.add_widgets(*widgets)
