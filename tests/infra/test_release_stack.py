"""Stages and releases (cdk/stages.py, cdk/release.py) and the HIPAA Security nag pack.

Every function is published behind the alias `live`, every invoker calls the alias, and
CodeDeploy shifts it per stage with rollback alarms and the API's health check.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from aws_cdk import RemovalPolicy  # noqa: E402
from aws_cdk import aws_iam as iam  # noqa: E402
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks  # noqa: E402

from cdk.release import HEALTH_CHECK_TARGET_VARIABLE, LIVE_ALIAS  # noqa: E402
from cdk.stack import (  # noqa: E402
    API_PROVISIONED_CONCURRENCY,
    FUNCTION_NAMES,
    MFA_REQUIRED,
    REPO_ROOT,
    CoachingPlatformStack,
)
from cdk.stages import STAGE, STAGES, UnknownStage, stage_defaults  # noqa: E402
from coaching.usecases.pipeline_steps import PIPELINE_STEPS as PIPELINE  # noqa: E402
from tests.infra.synthesis import Synth  # noqa: E402
from tests.infra.synthesis import synthesize as synthesize_stack  # noqa: E402

pytestmark = pytest.mark.infra

# The hook is called by CodeDeploy by its own name: the one function not behind `live`.
# Called by their own names: the hook checks the release it belongs to, and migrate runs
# mid-release, when `live` still points at a version without the new migrations.
UNRELEASED = {"release_health_check", "migrate"}


def synthesize(tmp: Path, change=None, **context: Any) -> Synth:
    """Both nag packs; ``change(stack)`` runs after the stack is built and before cdk-nag
    reads it."""
    return synthesize_stack(
        tmp, packs=(AwsSolutionsChecks, HIPAASecurityChecks), change=change, **context
    )


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("dev"))


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """prod as the workflow deploys it (`-c` values arrive as strings)."""
    return synthesize(
        tmp_path_factory.mktemp("prod"),
        **{STAGE[0]: "prod", API_PROVISIONED_CONCURRENCY[0]: "2"},
    )


# --- cdk-nag: AwsSolutions and HIPAA Security ------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_both_nag_packs_report_nothing_unsuppressed(stage: str, request) -> None:
    assert request.getfixturevalue(stage).findings() == []


def test_a_new_wildcard_grant_on_a_function_role_is_reported(tmp_path: Path) -> None:
    # Given a grant on every object of every bucket, added to the API function's role
    def grant_everything(stack: CoachingPlatformStack) -> None:
        stack.functions.release("api").live.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])
        )

    # When cdk-nag reads the stack / Then the synth fails on that wildcard, on that role's
    # policy (annotationsInValidationReport): no suppression hides it
    with pytest.raises(RuntimeError) as failed:
        synthesize(tmp_path, change=grant_everything)
    report = str(failed.value)
    assert "AwsSolutions-IAM5[Resource::*]" in report
    assert "Functions/ApiRole/DefaultPolicy/Resource" in report
    assert "HIPAA.Security" not in report  # the only finding is the new grant


def test_x_ray_s_wildcard_lives_in_one_tracing_policy_only(dev: Synth) -> None:
    (tracing_id, tracing) = next(
        (k, v) for k, v in dev.of_type("AWS::IAM::ManagedPolicy").items() if "Tracing" in k
    )
    (statement,) = tracing["PolicyDocument"]["Statement"]
    assert statement["Resource"] == "*"
    assert sorted(statement["Action"]) == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    for name in FUNCTION_NAMES:
        function = dev.of_type("AWS::Lambda::Function")[dev.function_id(name)]
        assert function["TracingConfig"] == {"Mode": "Active"}, name
        role_id = function["Role"]["Fn::GetAtt"][0]
        assert {"Ref": tracing_id} in dev.of_type("AWS::IAM::Role")[role_id]["ManagedPolicyArns"]
        for policy in dev.of_type("AWS::IAM::Policy").values():
            if {"Ref": role_id} in policy["Roles"]:
                assert all(s["Resource"] != "*" for s in policy["PolicyDocument"]["Statement"])


def test_every_log_group_is_encrypted_with_a_key(dev: Synth) -> None:
    for logical_id, props in dev.of_type("AWS::Logs::LogGroup").items():
        assert "KmsKeyId" in props, logical_id


# --- stages ----------------------------------------------------------------------------------


def test_each_stage_names_its_stack_and_an_unknown_stage_is_refused() -> None:
    assert {s.stack_name for s in STAGES.values()} == {
        "CoachingPlatform-dev",
        "CoachingPlatform-staging",
        "CoachingPlatform-prod",
    }
    assert stage_defaults(" Prod ").name == "prod"
    with pytest.raises(UnknownStage, match="dev, staging, prod"):
        stage_defaults("production")


def test_prod_requires_mfa_keeps_logs_a_year_and_protects_data() -> None:
    prod = stage_defaults("prod")
    assert prod.deletion_protection and prod.mfa_required
    assert prod.removal_policy == RemovalPolicy.RETAIN
    assert not stage_defaults("dev").deletion_protection


def test_prod_stack_requires_mfa_and_keeps_function_logs_a_year(prod: Synth, dev: Synth) -> None:
    prod.template.has_resource_properties("AWS::Cognito::UserPool", {"MfaConfiguration": "ON"})
    dev.template.has_resource_properties("AWS::Cognito::UserPool", {"MfaConfiguration": "OPTIONAL"})
    api_logs = prod.of_type("AWS::Lambda::Function")[prod.function_id("api")]["LoggingConfig"]
    group = prod.of_type("AWS::Logs::LogGroup")[api_logs["LogGroup"]["Ref"]]
    assert group["RetentionInDays"] == 365


def test_an_explicit_context_key_wins_over_the_stage_default(tmp_path: Path) -> None:
    synth = synthesize(tmp_path, **{STAGE[0]: "prod", MFA_REQUIRED[0]: "false"})
    synth.template.has_resource_properties(
        "AWS::Cognito::UserPool", {"MfaConfiguration": "OPTIONAL"}
    )


def test_app_names_the_stack_by_stage_and_passes_both_nag_packs(tmp_path: Path) -> None:
    # Given the real app and functions, staging chosen as `cdk deploy -c` passes it
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({STAGE[0]: "staging"}),
        "CDK_OUTDIR": str(tmp_path),
    }
    # When it synthesizes (an unsuppressed finding of either pack fails the synth)
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "app.py")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # Then
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "CoachingPlatform-staging" in result.stdout
    assert (tmp_path / "CoachingPlatform-staging.template.json").is_file()
    # And both packs ran (cdk-nag writes one report per pack): nothing non-compliant, and
    # every suppression carries its reason
    for pack in ("AwsSolutions", "HIPAA.Security"):
        with (tmp_path / f"{pack}--CoachingPlatform-staging-NagReport.csv").open() as report:
            rows = list(csv.DictReader(report))
        assert rows, pack
        assert {row["Compliance"] for row in rows} <= {"Compliant", "Suppressed"}, pack
        for row in rows:
            if row["Compliance"] == "Suppressed":
                assert len(row["Exception Reason"]) > 40, (row["Rule ID"], row["Resource ID"])


# --- every invoker calls `live` -------------------------------------------------------------


def test_every_function_but_the_hook_is_published_behind_live(dev: Synth) -> None:
    aliases = dev.of_type("AWS::Lambda::Alias")
    for name in set(FUNCTION_NAMES) - UNRELEASED:
        alias = aliases[dev.alias_id(name)]
        assert alias["Name"] == LIVE_ALIAS
        assert "Fn::GetAtt" in alias["FunctionVersion"], name
    for name in UNRELEASED:
        function = dev.function_id(name)
        assert all(a["FunctionName"] != {"Ref": function} for a in aliases.values()), name


def test_the_apis_invoke_the_live_alias(dev: Synth) -> None:
    api, authorizer = dev.alias_id("api"), dev.alias_id("api_key_authorizer")
    # Every route of both REST APIs (OPTIONS is API Gateway's own CORS answer)
    for method in dev.of_type("AWS::ApiGateway::Method").values():
        if method["HttpMethod"] != "OPTIONS":
            assert {"Ref": api} in method["Integration"]["Uri"]["Fn::Join"][1], method
    (key_authorizer,) = [
        a for a in dev.of_type("AWS::ApiGateway::Authorizer").values() if a["Type"] == "REQUEST"
    ]
    assert {"Ref": authorizer} in key_authorizer["AuthorizerUri"]["Fn::Join"][1]
    # And no permission lets API Gateway call the unpublished function itself
    unqualified = {"Fn::GetAtt": [dev.function_id("api"), "Arn"]}
    assert all(
        p["FunctionName"] != unqualified for p in dev.of_type("AWS::Lambda::Permission").values()
    )


def test_the_saga_s3_eventbridge_and_the_scheduler_invoke_the_live_alias(dev: Synth) -> None:
    (machine,) = dev.of_type("AWS::StepFunctions::StateMachine").values()
    for step in PIPELINE:
        assert machine["DefinitionSubstitutions"][step.arn_substitution] == {
            "Ref": dev.alias_id(step.folder)
        }
    (notifications,) = dev.of_type("Custom::S3BucketNotifications").values()
    (target,) = notifications["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    assert target["LambdaFunctionArn"] == {"Ref": dev.alias_id("ingest")}
    _, rule = dev.one("AWS::Events::Rule", "Retention")
    assert rule["Targets"][0]["Arn"] == {"Ref": dev.alias_id("purge_expired")}
    _, rule = dev.one("AWS::Events::Rule", "MailFeedback")
    assert rule["Targets"][0]["Arn"] == {"Ref": dev.alias_id("mail_events")}
    _, schedule = dev.one("AWS::Scheduler::Schedule", "ScheduledSends")
    assert schedule["Target"]["Arn"] == {"Ref": dev.alias_id("send_scheduled")}
    _, rule = dev.one("AWS::Events::Rule", "CoachNotices")
    assert rule["Targets"][0]["Arn"] == {"Ref": dev.alias_id("send_coach_notices")}


# --- CodeDeploy ------------------------------------------------------------------------------


def deployment_group_of(synth: Synth, name: str) -> dict[str, Any]:
    alias = synth.resources[synth.alias_id(name)]
    group_id = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"]["Ref"]
    return synth.resources[group_id]["Properties"]


def alarms_of(synth: Synth, group: dict[str, Any]) -> list[dict[str, Any]]:
    by_ref = {k: v for k, v in synth.of_type("AWS::CloudWatch::Alarm").items()}
    return [by_ref[a["Name"]["Ref"]] for a in group["AlarmConfiguration"]["Alarms"]]


@pytest.mark.parametrize(
    ("stage", "config"),
    [
        ("dev", "CodeDeployDefault.LambdaAllAtOnce"),
        ("prod", "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
    ],
)
def test_each_release_shifts_per_stage_and_rolls_back_on_its_alarms(
    stage: str, config: str, request
) -> None:
    synth: Synth = request.getfixturevalue(stage)
    for name in set(FUNCTION_NAMES) - UNRELEASED:
        group = deployment_group_of(synth, name)
        assert group["DeploymentConfigName"] == config, name
        assert group["AutoRollbackConfiguration"] == {
            "Enabled": True,
            "Events": [
                "DEPLOYMENT_FAILURE",
                "DEPLOYMENT_STOP_ON_REQUEST",
                "DEPLOYMENT_STOP_ON_ALARM",
            ],
        }
        assert group["AlarmConfiguration"]["Enabled"] is True
        alarms = alarms_of(synth, group)
        rate = next(a for a in alarms if "Metrics" in a)
        latency = next(a for a in alarms if a.get("ExtendedStatistic") == "p95")
        # Then: > 1 % errors and p95 > 3 s, of the new version alone
        assert (rate["Threshold"], rate["ComparisonOperator"]) == (1, "GreaterThanThreshold")
        expression = next(m for m in rate["Metrics"] if "Expression" in m)
        assert expression["Expression"] == "100 * errors / invocations"
        assert latency["Threshold"] == 3000
        for metric in [m["MetricStat"]["Metric"] for m in rate["Metrics"] if "MetricStat" in m] + [
            latency
        ]:
            dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
            assert set(dimensions) == {"FunctionName", "Resource", "ExecutedVersion"}
            assert dimensions["ExecutedVersion"]["Fn::GetAtt"][1] == "Version"
        # The version's alarms are pointed at it before the alias update starts
        version_alarms = {
            a["Name"]["Ref"]
            for a in group["AlarmConfiguration"]["Alarms"]
            if "AWS/ApiGateway" not in json.dumps(synth.resources[a["Name"]["Ref"]])
        }
        assert len(version_alarms) == 2
        assert set(synth.resources[synth.alias_id(name)]["DependsOn"]) >= version_alarms


def test_the_api_release_also_watches_5xx_rate_latency_and_health(dev: Synth) -> None:
    group = deployment_group_of(dev, "api")
    gateway = [a for a in alarms_of(dev, group) if a.get("Namespace") == "AWS/ApiGateway"]
    server_errors = [a for a in gateway if a["MetricName"] == "5XXError"]
    latency = [a for a in gateway if a["MetricName"] == "Latency"]
    assert len(server_errors) == 2 and len(latency) == 2  # both REST APIs
    assert all(a["Statistic"] == "Average" and a["Threshold"] == 0.01 for a in server_errors)
    assert all(a["ExtendedStatistic"] == "p95" and a["Threshold"] == 3000 for a in latency)

    # And the pre-traffic hook calls the exact new version
    alias = dev.resources[dev.alias_id("api")]
    hook = dev.function_id("release_health_check")
    assert alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["BeforeAllowTrafficHook"] == {
        "Ref": hook
    }
    variables = dev.of_type("AWS::Lambda::Function")[hook]["Environment"]["Variables"]
    assert (
        variables[HEALTH_CHECK_TARGET_VARIABLE]["Ref"]
        == alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
    )


def test_provisioned_concurrency_is_off_by_default_and_on_the_api_alias_by_context(
    dev: Synth, prod: Synth
) -> None:
    assert all(
        "ProvisionedConcurrencyConfig" not in a for a in dev.of_type("AWS::Lambda::Alias").values()
    )
    with_warm = {
        k
        for k, a in prod.of_type("AWS::Lambda::Alias").items()
        if "ProvisionedConcurrencyConfig" in a
    }
    assert with_warm == {prod.alias_id("api")}
    assert prod.of_type("AWS::Lambda::Alias")[prod.alias_id("api")][
        "ProvisionedConcurrencyConfig"
    ] == {"ProvisionedConcurrentExecutions": 2}
