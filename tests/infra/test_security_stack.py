"""Issue 9 in the stack: the integrations' REST API (API keys through a Lambda REQUEST
authorizer, the same function behind it) and detection (metric filters and a Contributor
Insights rule on the API function's log, alarms that notify a KMS-encrypted SNS topic)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from cdk.detection import SECURITY_NAMESPACE  # noqa: E402
from cdk.stack import SECURITY_ALARM_EMAIL  # noqa: E402
from coaching.api.security_events import BURSTS  # noqa: E402
from tests.infra.synthesis import Synth, synthesize  # noqa: E402

pytestmark = pytest.mark.infra

ALARM_EMAIL = "security@example.org"


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("security"))


@pytest.fixture(scope="module")
def with_email(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("email"), **{SECURITY_ALARM_EMAIL[0]: ALARM_EMAIL})


def resources(synth: Synth, cfn_type: str) -> dict[str, dict[str, Any]]:
    every = synth.template.to_json()["Resources"]
    return {k: v["Properties"] for k, v in every.items() if v["Type"] == cfn_type}


def integration_api_id(synth: Synth) -> str:
    (api_id,) = [k for k in resources(synth, "AWS::ApiGateway::RestApi") if "Integrations" in k]
    return api_id


# --- the integrations' API ----------------------------------------------------------------


def test_integrations_reach_the_api_function_through_the_key_authorizer_only(synth: Synth):
    api_id = integration_api_id(synth)
    methods = {
        k: m
        for k, m in resources(synth, "AWS::ApiGateway::Method").items()
        if m["RestApiId"] == {"Ref": api_id}
    }
    (method,) = methods.values()  # ANY /v1/{proxy+}, nothing public
    assert method["HttpMethod"] == "ANY"
    assert method["AuthorizationType"] == "CUSTOM"
    assert synth.alias_id("api") in json.dumps(method["Integration"]["Uri"])
    authorizer = resources(synth, "AWS::ApiGateway::Authorizer")[method["AuthorizerId"]["Ref"]]
    assert authorizer["Type"] == "REQUEST"
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    assert authorizer["AuthorizerResultTtlInSeconds"] == 0  # revocation is immediate
    assert synth.alias_id("api_key_authorizer") in json.dumps(authorizer["AuthorizerUri"])


def test_the_integrations_stage_is_throttled_logged_and_behind_the_firewall(synth: Synth):
    api_id = integration_api_id(synth)
    ((stage_id, stage),) = [
        (k, s)
        for k, s in resources(synth, "AWS::ApiGateway::Stage").items()
        if s["RestApiId"] == {"Ref": api_id}
    ]
    (settings,) = stage["MethodSettings"]
    assert settings["ThrottlingRateLimit"] and settings["DataTraceEnabled"] is False
    assert (
        json.loads(stage["AccessLogSetting"]["Format"])["user"] == "$context.authorizer.principalId"
    )
    (acl_id,) = resources(synth, "AWS::WAFv2::WebACL")  # the coaches' ACL, shared
    associations = resources(synth, "AWS::WAFv2::WebACLAssociation").values()
    assert any(
        a["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
        and {"Ref": stage_id} in a["ResourceArn"]["Fn::Join"][1]
        for a in associations
    )
    responses = [
        r
        for r in resources(synth, "AWS::ApiGateway::GatewayResponse").values()
        if r["RestApiId"] == {"Ref": api_id}
    ]
    unauthorized = next(r for r in responses if r["ResponseType"] == "UNAUTHORIZED")
    assert json.loads(unauthorized["ResponseTemplates"]["application/json"])["error"]["code"] == (
        "COACH_401"
    )
    assert "execute-api" in json.dumps(synth.outputs["IntegrationApiUrl"]["Value"])


# --- detection ----------------------------------------------------------------------------

EXPECTED_PATTERNS = {
    "FailedSignIns": '{ $.security_event = "sign_in_failed" }',
    "RateLimitHits": '{ $.security_event = "rate_limited" }',
}


def test_metric_filters_count_failed_sign_ins_and_rate_limit_hits_in_the_api_log(synth: Synth):
    api_logs = synth.of_type("AWS::Lambda::Function")[synth.function_id("api")]["LoggingConfig"][
        "LogGroup"
    ]
    filters = resources(synth, "AWS::Logs::MetricFilter").values()
    found = {f["MetricTransformations"][0]["MetricName"]: f for f in filters}
    assert set(found) == set(EXPECTED_PATTERNS)
    for name, pattern in EXPECTED_PATTERNS.items():
        assert found[name]["FilterPattern"] == pattern
        assert found[name]["LogGroupName"] == api_logs
        (transformation,) = found[name]["MetricTransformations"]
        assert transformation["MetricNamespace"] == SECURITY_NAMESPACE
        assert transformation["MetricValue"] == "1"


def test_refusals_are_counted_per_caller_by_a_contributor_insights_rule(synth: Synth):
    ((rule_id, rule),) = resources(synth, "AWS::CloudWatch::InsightRule").items()
    parts = rule["RuleBody"]["Fn::Join"][1]
    api_logs = synth.of_type("AWS::Lambda::Function")[synth.function_id("api")]["LoggingConfig"][
        "LogGroup"
    ]
    body = json.loads("".join(p if isinstance(p, str) else "REF" for p in parts))
    assert api_logs in parts
    assert body["LogFormat"] == "JSON" and body["AggregateOn"] == "Count"
    assert body["Contribution"] == {
        "Keys": ["$.actor"],
        "Filters": [{"Match": "$.security_event", "In": ["forbidden", "not_found"]}],
    }
    assert rule["RuleState"] == "ENABLED" and rule_id


def test_every_burst_has_an_alarm_that_notifies_the_encrypted_topic(synth: Synth):
    ((topic_id, topic),) = resources(synth, "AWS::SNS::Topic").items()
    key = resources(synth, "AWS::KMS::Key")[topic["KmsMasterKeyId"]["Fn::GetAtt"][0]]
    assert key["EnableKeyRotation"] is True
    publishers = [
        s
        for s in key["KeyPolicy"]["Statement"]
        if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"
    ]
    assert publishers and "kms:GenerateDataKey*" in publishers[0]["Action"]
    # Only TLS to the topic
    policies = resources(synth, "AWS::SNS::TopicPolicy").values()
    assert any(
        {"Ref": topic_id} in p["Topics"]
        and any(
            s["Effect"] == "Deny"
            and s.get("Condition", {}).get("Bool") == {"aws:SecureTransport": "false"}
            for s in p["PolicyDocument"]["Statement"]
        )
        for p in policies
    )
    alarms = {
        k: a
        for k, a in resources(synth, "AWS::CloudWatch::Alarm").items()
        if k.startswith("Security")
    }
    assert len(alarms) == len(BURSTS)
    for burst in BURSTS:
        (alarm,) = [a for k, a in alarms.items() if burst.name in k]
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Threshold"] == burst.threshold
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        if burst.per_actor:
            (query,) = alarm["Metrics"]
            assert query["Expression"].startswith("INSIGHT_RULE_METRIC(")
            assert "'MaxContributorValue'" in query["Expression"]
            assert query["Period"] == burst.window_seconds
        else:
            assert alarm["Namespace"] == SECURITY_NAMESPACE
            assert alarm["MetricName"] == burst.name
            assert alarm["Statistic"] == "Sum" and alarm["Period"] == burst.window_seconds


def test_an_email_subscribes_to_the_alarms_when_configured(synth: Synth, with_email: Synth):
    assert resources(synth, "AWS::SNS::Subscription") == {}
    ((_, subscription),) = resources(with_email, "AWS::SNS::Subscription").items()
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == ALARM_EMAIL


def test_real_authorizer_function_folder_exists() -> None:
    root = Path(__file__).resolve().parents[2] / "functions" / "api_key_authorizer" / "handler.py"
    assert root.is_file()
