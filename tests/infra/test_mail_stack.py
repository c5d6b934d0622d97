"""Sending in AWS (issue 12): the SES configuration set's bounces and complaints to
EventBridge and on to `mail_events`, the one-minute schedule of `send_scheduled`, and the
unsubscribe links' key and base URL, read from the synthesized template."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from cdk.mail_feedback import FEEDBACK_DETAIL_TYPES  # noqa: E402
from cdk.stack import FOLLOW_UP_SENDERS  # noqa: E402
from tests.infra.synthesis import Synth, as_list, synthesize  # noqa: E402


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("mail"))


def variables(synth: Synth, name: str) -> dict[str, Any]:
    return synth.function(name)[1]["Environment"]["Variables"]


def test_bounces_and_complaints_of_the_configuration_set_go_to_the_default_bus(synth: Synth):
    set_id = synth.logical_id("AWS::SES::ConfigurationSet", "Mail")
    (destination,) = [
        d["EventDestination"]
        for d in synth.of_type("AWS::SES::ConfigurationSetEventDestination").values()
        if "EventBridgeDestination" in d["EventDestination"]
    ]
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["Enabled"] is True
    assert ":event-bus/default" in json.dumps(destination["EventBridgeDestination"])
    # And every sender names the set (SesMailer passes ConfigurationSetName)
    for name in ("api", "send_scheduled", "notify_coach", "compensate"):
        assert variables(synth, name)["COACH_SES_CONFIGURATION_SET"] == {"Ref": set_id}, name


def test_a_rule_routes_this_set_s_bounces_and_complaints_to_mail_events(synth: Synth):
    set_id = synth.logical_id("AWS::SES::ConfigurationSet", "Mail")
    rule_id, rule = synth.one("AWS::Events::Rule", "MailFeedback")
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.ses"]
    assert sorted(pattern["detail-type"]) == sorted(FEEDBACK_DETAIL_TYPES)
    assert pattern["detail"]["mail"]["tags"]["ses:configuration-set"] == [{"Ref": set_id}]
    assert "EventBusName" not in rule  # the default bus, where SES publishes
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": synth.alias_id("mail_events")}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    queue_id = synth.logical_id("AWS::SQS::Queue", "MailFeedback")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    # And only this rule may invoke it
    permissions = [
        p
        for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["FunctionName"] == {"Ref": synth.alias_id("mail_events")}
    ]
    assert [(p["Principal"], p["SourceArn"]) for p in permissions] == [
        ("events.amazonaws.com", {"Fn::GetAtt": [rule_id, "Arn"]})
    ]


def test_mail_events_reads_the_database_and_sends_nothing(synth: Synth):
    grants = synth.grants("mail_events")
    assert not [a for a in grants if a.startswith(("ses:", "kms:GenerateDataKey"))]
    env = variables(synth, "mail_events")
    assert "COACH_DATABASE_SECRET_ARN" in env
    assert "COACH_UNSUBSCRIBE_KEY_SECRET_ARN" not in env
    assert "COACH_FIELD_KMS_KEY_ID" not in env


def test_a_schedule_invokes_send_scheduled_every_minute_with_retries_and_dead_letters(
    synth: Synth,
):
    _, schedule = synth.one("AWS::Scheduler::Schedule", "ScheduledSends")
    assert schedule["ScheduleExpression"] == "rate(1 minute)"
    assert schedule["State"] == "ENABLED"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert target["Arn"] == {"Ref": synth.alias_id("send_scheduled")}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    queue_id = synth.logical_id("AWS::SQS::Queue", "ScheduledSends")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    assert "scheduled_time" in json.dumps(target["Input"])
    # Its role: assumed by this account's schedules, allowed to invoke that alias and to
    # send to that queue, nothing else
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    (trust,) = synth.resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    allowed = {
        (action, json.dumps(resource))
        for statement in synth.role_statements(role_id)
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    live = synth.alias_id("send_scheduled")
    assert {a for a, _ in allowed} == {"lambda:InvokeFunction", "sqs:SendMessage"}
    for action, resource in allowed:
        expected = live if action == "lambda:InvokeFunction" else queue_id
        assert expected in resource, (action, resource)


def test_failing_ticks_and_dead_letters_raise_alarms(synth: Synth):
    send = synth.function_id("send_scheduled")
    alarms = synth.of_type("AWS::CloudWatch::Alarm").values()
    (errors,) = [
        a
        for a in alarms
        if a.get("MetricName") == "Errors"
        and {"Name": "FunctionName", "Value": {"Ref": send}} in a.get("Dimensions", [])
    ]
    assert errors["EvaluationPeriods"] == 3 and errors["Period"] == 60
    assert errors["AlarmActions"]  # the operations topic (monitoring joins every alarm)
    for owner in ("ScheduledSends", "MailFeedback"):
        queue_id = synth.logical_id("AWS::SQS::Queue", owner)
        assert any(
            a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
            and queue_id in json.dumps(a["Dimensions"])
            for a in alarms
        ), owner


def test_the_unsubscribe_key_is_a_generated_secret_only_follow_up_senders_read(synth: Synth):
    key_id, secret = synth.one("AWS::SecretsManager::Secret", "UnsubscribeKey")
    data_key = synth.logical_id("AWS::KMS::Key", "DataKey")
    assert secret["KmsKeyId"] == {"Fn::GetAtt": [data_key, "Arn"]}
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32
    for name in synth.functions():
        env = variables(synth, name)
        reads = [
            g["resource"]
            for g in synth.grants(name).get("secretsmanager:GetSecretValue", [])
            if g["resource"] == {"Ref": key_id}
        ]
        if name in FOLLOW_UP_SENDERS:
            assert env["COACH_UNSUBSCRIBE_KEY_SECRET_ARN"] == {"Ref": key_id}, name
            assert reads, name
        else:
            assert "COACH_UNSUBSCRIBE_KEY_SECRET_ARN" not in env and not reads, name


def test_unsubscribe_links_point_at_the_rest_api_stage(synth: Synth):
    api_id = synth.logical_id("AWS::ApiGateway::RestApi", "ApiRestApi")
    for name in FOLLOW_UP_SENDERS:
        url = variables(synth, name)["COACH_API_BASE_URL"]
        rendered = json.dumps(url)
        assert url["Fn::Join"][1][0] == "https://"
        assert {"Ref": api_id} in url["Fn::Join"][1], name
        assert rendered.endswith('"/prod"]]}'), rendered
