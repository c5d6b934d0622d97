"""Releases the serverless way: every function is published as a version behind the alias
`live`, and every invoker (API Gateway, the state machine, S3, EventBridge) calls the alias.
CodeDeploy moves the alias to a new version (canary 10 %, then all; per stage) and rolls it
back by itself when the new version's error rate passes 1 %, its p95 latency passes 3 s, or
its health check fails.

- Error rate and latency are read for the new version alone (Lambda's `ExecutedVersion`
  dimension of the alias's metrics), so the 90 % still on the old version cannot hide it.
- The API's own alarms (API Gateway 5XX rate > 1 %, p95 latency > 3 s) join the API
  function's deployment: what coaches see, not only what the function counts.
- Health check: a pre-traffic hook (functions/release_health_check) invokes the new API
  version with `GET /health` before any traffic moves; CodeDeploy stops on its "Failed".
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct

LIVE_ALIAS = "live"
ERROR_RATE_PERCENT = 1
P95_LATENCY = Duration.seconds(3)
ALARM_PERIOD = Duration.minutes(1)
# Read by functions/release_health_check: the exact version to call before traffic moves.
HEALTH_CHECK_TARGET_VARIABLE = "COACH_HEALTH_CHECK_TARGET"

ROLLBACK_REASON = (
    "Read by CodeDeploy, whose action is the rollback of the release in progress; it is "
    "not a page for a person (the monitoring construct's alarms are)."
)


class LiveFunction(lambda_.Alias):
    """The `live` alias, usable where the function was: invokers get the alias ARN, and what
    configures the function itself (environment, log group) reaches the function."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        provisioned_concurrency: int = 0,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            alias_name=LIVE_ALIAS,
            version=function.current_version,
            provisioned_concurrent_executions=provisioned_concurrency or None,
        )
        self.function = function

    def add_environment(self, key: str, value: str, **kwargs: Any) -> LiveFunction:
        """A new environment makes a new version (the version's hash covers it)."""
        self.function.add_environment(key, value, **kwargs)
        return self

    @property
    def log_group(self) -> logs.ILogGroup:
        return self.function.log_group

    @property
    def current_version(self) -> lambda_.Version:
        return self.function.current_version


class CanaryRelease(Construct):
    """One function's alias, its CodeDeploy deployment group and its rollback alarms."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        application: codedeploy.ILambdaApplication,
        deployment_config: codedeploy.ILambdaDeploymentConfig,
        provisioned_concurrency: int = 0,
    ) -> None:
        super().__init__(scope, construct_id)
        self.live = LiveFunction(
            self,
            "Live",
            function=function,
            provisioned_concurrency=provisioned_concurrency,
        )
        version = function.current_version
        self.alarms: list[cloudwatch.Alarm] = [
            self._alarm(
                "ErrorRate",
                f"{function.node.id}: the new version's errors passed {ERROR_RATE_PERCENT} % of "
                "its invocations; CodeDeploy rolls the release back.",
                cloudwatch.MathExpression(
                    expression="100 * errors / invocations",
                    using_metrics={
                        "errors": self._version_metric(function, version, "Errors", "Sum"),
                        "invocations": self._version_metric(
                            function, version, "Invocations", "Sum"
                        ),
                    },
                    period=ALARM_PERIOD,
                    label="error rate of the new version (%)",
                ),
                ERROR_RATE_PERCENT,
            ),
            self._alarm(
                "Latency",
                f"{function.node.id}: the new version's p95 duration passed "
                f"{P95_LATENCY.to_seconds()} s; CodeDeploy rolls the release back.",
                self._version_metric(function, version, "Duration", "p95"),
                P95_LATENCY.to_milliseconds(),
            ),
        ]
        self.deployment_group = codedeploy.LambdaDeploymentGroup(
            self,
            "Deployment",
            application=application,
            alias=self.live,
            deployment_config=deployment_config,
            alarms=self.alarms,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
            ),
        )
        # CloudFormation must point the alarms at the new version before the alias update
        # starts the deployment they guard.
        for alarm in self.alarms:
            self.live.node.add_dependency(alarm)
        self._explain_deployment_role()

    def watch_api(self, api: apigw.RestApi, name: str) -> None:
        """The API stage's 5XX rate and p95 latency also roll this function's release back."""
        for alarm in (
            self._alarm(
                f"{name}ServerErrorRate",
                f"{name}: over {ERROR_RATE_PERCENT} % of requests answered 5XX; CodeDeploy "
                "rolls back the API function's release in progress.",
                # Average of 5XXError (0 or 1 per request) is the rate.
                api.metric_server_error(period=ALARM_PERIOD, statistic=cloudwatch.Stats.AVERAGE),
                ERROR_RATE_PERCENT / 100,
            ),
            self._alarm(
                f"{name}Latency",
                f"{name}: p95 latency over {P95_LATENCY.to_seconds()} s; CodeDeploy rolls back "
                "the API function's release in progress.",
                api.metric_latency(period=ALARM_PERIOD, statistic=cloudwatch.Stats.p(95)),
                P95_LATENCY.to_milliseconds(),
            ),
        ):
            self.alarms.append(alarm)
            self.deployment_group.add_alarm(alarm)

    def check_health_with(self, hook: lambda_.Function) -> None:
        """`hook` calls the new version (its exact ARN) before any traffic moves to it."""
        version = self.live.function.current_version
        hook.add_environment(HEALTH_CHECK_TARGET_VARIABLE, version.function_arn)
        version.grant_invoke(hook)
        self.deployment_group.add_pre_hook(hook)
        # The alias's UpdatePolicy names the hook, so CloudFormation updates the hook (and the
        # version it calls) before the alias update starts the deployment.
        hook_id = hook.node.id
        NagSuppressions.add_resource_suppressions(
            self.deployment_group.role.node.find_child("DefaultPolicy"),
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "CodeDeploy invokes the health-check hook function; grant_invoke "
                    "adds '<hook arn>:*' (its versions), that one function only.",
                    "appliesTo": [
                        {"regex": f"/^Resource::<[A-Za-z0-9]*{hook_id}[0-9A-F]{{8}}\\.Arn>:\\*$/g"}
                    ],
                },
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK writes this deployment role's own policy (invoke the one hook "
                    "function); no other principal should share it.",
                },
            ],
        )

    def _alarm(
        self, construct_id: str, description: str, metric: cloudwatch.IMetric, threshold: float
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            # No traffic to the new version yet is no reason to roll it back.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        NagSuppressions.add_resource_suppressions(
            alarm, [{"id": "HIPAA.Security-CloudWatchAlarmAction", "reason": ROLLBACK_REASON}]
        )
        return alarm

    @staticmethod
    def _version_metric(
        function: lambda_.Function, version: lambda_.IVersion, name: str, statistic: str
    ) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/Lambda",
            metric_name=name,
            dimensions_map={
                "FunctionName": function.function_name,
                "Resource": f"{function.function_name}:{LIVE_ALIAS}",
                "ExecutedVersion": version.version,
            },
            statistic=statistic,
            period=ALARM_PERIOD,
        )

    def _explain_deployment_role(self) -> None:
        NagSuppressions.add_resource_suppressions(
            self.deployment_group.role,
            [
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "CodeDeploy's own Lambda policy (AWSCodeDeployRoleForLambdaLimited) "
                    "lets it shift this alias and read its alarms; AWS keeps it in step with "
                    "what CodeDeploy calls.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AWSCodeDeployRoleForLambdaLimited"
                    ],
                }
            ],
        )
