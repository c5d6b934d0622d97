"""Exports in AWS (issue 17): the exports bucket, the export schedules' group and role, the
daily search backup, the CRM tokens, and each function within Lambda's size limit, read from
the template and the synthesized assets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks  # noqa: E402

from cdk import layer_build  # noqa: E402
from cdk.exports import CRM_PREFIX_VARIABLE, SCHEDULE_ACTIONS  # noqa: E402
from cdk.stack import EXPORT_FUNCTIONS, FUNCTION_NAMES, REPO_ROOT  # noqa: E402
from functions.export import handler as export_function  # noqa: E402
from tests.infra.synthesis import Synth, as_list, synthesize  # noqa: E402

pytestmark = pytest.mark.infra

EXPORT_DAYS = 3
BACKUP_DAYS = 20
MB = 1024 * 1024


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(
        tmp_path_factory.mktemp("exports"),
        packs=(AwsSolutionsChecks, HIPAASecurityChecks),
        # The real function folders: their packages' sizes count toward the limit
        functions_root=REPO_ROOT / "functions",
        **{
            "coaching:exportRetentionDays": str(EXPORT_DAYS),
            "coaching:searchBackupRetentionDays": str(BACKUP_DAYS),
        },
    )


def rendered(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def exports_bucket(synth: Synth) -> tuple[str, dict[str, Any]]:
    return synth.one("AWS::S3::Bucket", "ExportsBucket")


def variables(synth: Synth, name: str) -> dict[str, Any]:
    return synth.function(name)[1]["Environment"]["Variables"]


def asset(synth: Synth, s3_key: str) -> Path:
    return synth.outdir / f"asset.{s3_key.removesuffix('.zip')}"


def test_every_function_with_its_layers_stays_under_lambda_s_unzipped_limit(synth: Synth):
    layers = synth.resources_of("AWS::Lambda::LayerVersion")
    sizes: dict[str, int] = {}
    for name in FUNCTION_NAMES:
        props = synth.function(name)[1]
        total = layer_build.folder_size(asset(synth, props["Code"]["S3Key"]))
        for layer in props["Layers"]:
            key = layer["Ref"]
            if key not in sizes:
                sizes[key] = layer_build.folder_size(
                    asset(synth, layers[key]["Properties"]["Content"]["S3Key"])
                )
            total += sizes[key]
        assert total < layer_build.UNZIPPED_LIMIT_BYTES, (name, total / MB)
    # And pyarrow is where the export functions find it, and only there
    for name in FUNCTION_NAMES:
        (layer,) = synth.function(name)[1]["Layers"]
        site = asset(synth, layers[layer["Ref"]]["Properties"]["Content"]["S3Key"]) / "python"
        assert (site / "pyarrow").is_dir() == (name in EXPORT_FUNCTIONS), name
        assert not (site / "grpc").exists()  # opensearch-py's unused gRPC transport


def test_the_exports_bucket_is_private_encrypted_and_expires_exports(synth: Synth):
    bucket_id, bucket = exports_bucket(synth)
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    key = rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert "Exports" in rendered(key)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "LoggingConfiguration" in bucket
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireExports"]["Prefix"] == "exports/"
    assert rules["ExpireExports"]["ExpirationInDays"] == EXPORT_DAYS
    assert rules["ExpireSearchBackups"]["ExpirationInDays"] == BACKUP_DAYS
    assert rules["OldVersionsAndUploads"]["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 1
    }
    # TLS only
    (policy,) = [
        p
        for p in synth.of_type("AWS::S3::BucketPolicy").values()
        if p["Bucket"] == {"Ref": bucket_id}
    ]
    assert any(
        s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy["PolicyDocument"]["Statement"]
    )
    # The key rotates
    key_id = key["Fn::GetAtt"][0]
    assert synth.of_type("AWS::KMS::Key")[key_id]["EnableKeyRotation"] is True


def object_grants(synth: Synth, name: str) -> dict[str, set[str]]:
    """s3 action -> the exports bucket's resources it is allowed on, for the function."""
    bucket_id, _ = exports_bucket(synth)
    found: dict[str, set[str]] = {}
    for action, grants in synth.grants(name).items():
        for grant in grants:
            if action.startswith("s3:") and bucket_id in rendered(grant["resource"]):
                found.setdefault(action, set()).add(rendered(grant["resource"]))
    return found


def test_only_the_export_functions_and_the_api_reach_the_bucket_each_under_its_prefix(
    synth: Synth,
):
    for name in FUNCTION_NAMES:
        grants = object_grants(synth, name)
        resources = {r for rs in grants.values() for r in rs}
        if name == "export":
            assert set(grants) >= {"s3:PutObject", "s3:GetObjectTagging", "s3:PutObjectTagging"}
            assert all("/exports/*" in r for r in resources), resources
        elif name == "search_backup":
            assert "s3:PutObject" in grants
            assert all("/search-backups/*" in r for r in resources), resources
        elif name == "api":
            # Signs download links of export files: reads, never writes
            assert "s3:PutObject" not in grants
            assert all("/exports/*" in r or r.endswith('"Arn"]}') for r in resources), resources
        else:
            assert grants == {}, name


def test_the_export_schedules_run_as_a_role_that_may_only_invoke_the_export_function(
    synth: Synth,
):
    (group_id, group) = synth.one("AWS::Scheduler::ScheduleGroup")
    assert group["Name"] == "coaching-exports-dev"
    role_id = synth.logical_id("AWS::IAM::Role", "ExportsSchedulerRole")
    role = synth.of_type("AWS::IAM::Role")[role_id]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    assert "export-*" in rendered(trust["Condition"]["ArnLike"])
    statements = synth.role_statements(role_id)
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert actions == {
        "lambda:InvokeFunction",
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    }
    export_alias = synth.alias_id("export")
    (invoke,) = [s for s in statements if "lambda:InvokeFunction" in as_list(s["Action"])]
    assert all(export_alias in rendered(r) for r in as_list(invoke["Resource"]))


def test_the_api_manages_export_schedules_in_that_group_only_and_passes_only_that_role(
    synth: Synth,
):
    grants = synth.grants("api")
    role_id = synth.logical_id("AWS::IAM::Role", "ExportsSchedulerRole")
    for action in SCHEDULE_ACTIONS:
        (grant,) = grants[action]
        assert "schedule/coaching-exports-dev/export-*" in rendered(grant["resource"])
    (passes,) = grants["iam:PassRole"]
    assert passes["resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert passes["condition"] == {
        "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}
    }
    # It starts runs on the export function's live alias
    assert any(
        synth.alias_id("export") in rendered(g["resource"]) for g in grants["lambda:InvokeFunction"]
    )
    env = variables(synth, "api")
    assert env["COACH_EXPORT_SCHEDULER_ROLE_ARN"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert env["COACH_EXPORT_FUNCTION_ARN"] == {"Ref": synth.alias_id("export")}
    # No other function schedules anything or passes a role to Scheduler
    for name in set(FUNCTION_NAMES) - {"api"}:
        assert not [a for a in synth.grants(name) if a.startswith("scheduler:")], name


def test_failed_exports_land_in_dead_letters_and_alarm(synth: Synth):
    export_id = synth.function_id("export")
    (config,) = [
        c
        for c in synth.of_type("AWS::Lambda::EventInvokeConfig").values()
        if c["FunctionName"] == {"Ref": export_id}
    ]
    assert config["MaximumRetryAttempts"] == 2
    queue = config["DestinationConfig"]["OnFailure"]["Destination"]
    assert "ExportsDeadLetters" in rendered(queue)
    alarms = [
        a for k, a in synth.of_type("AWS::CloudWatch::Alarm").items() if k.startswith("Exports")
    ]
    assert len(alarms) >= 3  # failed runs, dead letters, failed backups
    assert all(a["Threshold"] == 0 for a in alarms)


def test_the_failure_alarm_counts_runs_recorded_as_failed_not_only_crashes(synth: Synth):
    # A failed run is recorded on it and the invocation succeeds: the alarm must read the
    # function's own count of failed runs (functions/export/handler.py) besides its errors
    [alarm] = [
        a
        for k, a in synth.of_type("AWS::CloudWatch::Alarm").items()
        if k.startswith("ExportsFailedAlarm")
    ]
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    assert queries["failed"]["MetricStat"]["Metric"] == {
        "Namespace": "CoachingPlatform",
        "MetricName": export_function.FAILED_RUNS_METRIC,
        "Dimensions": [{"Name": "service", "Value": "export"}],
    }
    errors = queries["errors"]["MetricStat"]["Metric"]
    assert errors["MetricName"] == "Errors" and errors["Namespace"] == "AWS/Lambda"
    [expression] = [q for q in alarm["Metrics"] if "Expression" in q]
    assert expression["Expression"] == "FILL(failed, 0) + FILL(errors, 0)"
    assert expression.get("ReturnData", True) is True
    assert synth.function_id("export")  # the function whose service name that dimension is


def test_the_search_backup_runs_daily_from_its_own_schedule(synth: Synth):
    schedules = {
        k: v for k, v in synth.of_type("AWS::Scheduler::Schedule").items() if "DailyBackup" in k
    }
    ((_, schedule),) = schedules.items()
    assert schedule["ScheduleExpression"] == "cron(30 2 * * ? *)"
    assert synth.alias_id("search_backup") in rendered(schedule["Target"]["Arn"])
    assert "DeadLetterConfig" in schedule["Target"]


def test_only_the_export_function_reads_and_renews_the_organizations_crm_tokens(synth: Synth):
    prefix = "coaching/dev/crm/"
    for name in FUNCTION_NAMES:
        grants = synth.grants(name)
        on_tokens = {
            action
            for action, found in grants.items()
            if action.startswith("secretsmanager:")
            and any(f"secret:{prefix}*" in rendered(g["resource"]) for g in found)
        }
        if name == "export":
            assert on_tokens == {"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}
            assert variables(synth, name)[CRM_PREFIX_VARIABLE] == prefix
        else:
            assert on_tokens == set(), name
            assert CRM_PREFIX_VARIABLE not in variables(synth, name), name
    # And decrypts and encrypts them with the data key, through Secrets Manager only
    kms = [
        g
        for g in synth.grants("export")["kms:GenerateDataKey"]
        if g["condition"] and "secretsmanager." in rendered(g["condition"])
    ]
    assert len(kms) == 1 and "DataKey" in rendered(kms[0]["resource"])
    assert {"CrmTokenSecretPrefix", "CrmTokenKeyArn"} <= set(synth.outputs)


def test_the_export_function_decrypts_clients_contact_details_and_never_encrypts(synth: Synth):
    grants = synth.grants("export")
    env = variables(synth, "export")
    key = env["COACH_FIELD_KMS_KEY_ID"]
    assert any(g["resource"] == key for g in grants["kms:Decrypt"])
    assert not any(g["resource"] == key for g in grants.get("kms:GenerateDataKey", []))


def test_cdk_nag_has_nothing_to_say_of_the_exports(synth: Synth):
    findings = [f for f in synth.findings() if "Export" in f or "SearchBackup" in f]
    assert findings == []
