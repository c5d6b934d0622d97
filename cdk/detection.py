"""Detection: alarms on bursts of failed sign-ins, of 403/404 answers to one caller, and of
rate-limit hits, read from the API function's security event records
(coaching/api/security_events.py: the record shape, the bursts and their thresholds).

- Failed sign-ins and rate-limit hits: CloudWatch metric filters count the records into
  metrics of the `CoachingPlatform/Security` namespace; an alarm watches each sum.
- 403/404 to one caller: a Contributor Insights rule counts the records per `$.actor`, and
  the alarm watches its top contributor (INSIGHT_RULE_METRIC MaxContributorValue). A metric
  filter with the actor as a dimension would make one metric per user (charged each, and
  CloudWatch disables a filter past 1,000 dimension values an hour); Contributor Insights is
  made for "the top N keys".

Every alarm notifies the stack's one alarm topic (cdk/monitoring.py: SNS, KMS-encrypted);
deploy with `-c coaching:securityAlarmEmail=security@example.org` to subscribe an address
(it must confirm the subscription).
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from coaching.api.security_events import BURSTS, EVENT_FIELD, Burst

SECURITY_NAMESPACE = "CoachingPlatform/Security"
ACTOR_FIELD = "$.actor"


def filter_pattern(events: tuple[str, ...]) -> logs.IFilterPattern:
    """Matches the security event records of any of ``events``."""
    return logs.FilterPattern.any(
        *(logs.FilterPattern.string_value(f"$.{EVENT_FIELD}", "=", event) for event in events)
    )


def contributor_rule_body(log_group_name: str, burst: Burst) -> dict:
    return {
        "Schema": {"Name": "CloudWatchLogRule", "Version": 1},
        "LogGroupNames": [log_group_name],
        "LogFormat": "JSON",
        "Contribution": {
            "Keys": [ACTOR_FIELD],
            "Filters": [{"Match": f"$.{EVENT_FIELD}", "In": list(burst.events)}],
        },
        "AggregateOn": "Count",
    }


class SecurityDetection(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_logs: logs.ILogGroup,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = topic
        self.alarms: dict[str, cloudwatch.CfnAlarm | cloudwatch.Alarm] = {}
        for burst in BURSTS:
            if burst.per_actor:
                self.alarms[burst.name] = self._per_caller_alarm(api_logs, burst)
            else:
                self.alarms[burst.name] = self._total_alarm(api_logs, burst)

    def _total_alarm(self, api_logs: logs.ILogGroup, burst: Burst) -> cloudwatch.Alarm:
        metric_filter = logs.MetricFilter(
            self,
            f"{burst.name}Filter",
            log_group=api_logs,
            filter_pattern=filter_pattern(burst.events),
            metric_namespace=SECURITY_NAMESPACE,
            metric_name=burst.name,
            metric_value="1",
        )
        alarm = cloudwatch.Alarm(
            self,
            f"{burst.name}Alarm",
            alarm_description=f"Security: at least {burst.threshold} {burst.description} "
            f"within {burst.window_seconds // 60} minutes. See the api function's log "
            f'records with "{EVENT_FIELD}".',
            metric=metric_filter.metric(
                statistic=cloudwatch.Stats.SUM, period=Duration.seconds(burst.window_seconds)
            ),
            threshold=burst.threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        return alarm

    def _per_caller_alarm(self, api_logs: logs.ILogGroup, burst: Burst) -> cloudwatch.CfnAlarm:
        stack = Stack.of(self)
        rule = cloudwatch.CfnInsightRule(
            self,
            f"{burst.name}Rule",
            rule_name=f"{stack.stack_name}-{burst.name}",
            rule_state="ENABLED",
            rule_body=stack.to_json_string(contributor_rule_body(api_logs.log_group_name, burst)),
        )
        expression = f"INSIGHT_RULE_METRIC('{rule.rule_name}', 'MaxContributorValue')"
        return cloudwatch.CfnAlarm(
            self,
            f"{burst.name}Alarm",
            alarm_description=f"Security: at least {burst.threshold} {burst.description} "
            f"within {burst.window_seconds // 60} minutes. The Contributor Insights rule "
            f"{rule.rule_name} names the caller.",
            metrics=[
                cloudwatch.CfnAlarm.MetricDataQueryProperty(
                    id="top_caller",
                    expression=expression,
                    label="refusals to the most refused caller",
                    period=burst.window_seconds,
                    return_data=True,
                )
            ],
            threshold=burst.threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            alarm_actions=[self.topic.topic_arn],
        )
