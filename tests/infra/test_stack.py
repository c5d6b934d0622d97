"""CoachingPlatformStack: synthesized once per module, checked with CDK assertions,
cdk-nag (AwsSolutions) and cfn-lint."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from aws_cdk import App, Stack  # noqa: E402
from aws_cdk import aws_lambda as lambda_  # noqa: E402
from aws_cdk.assertions import Annotations, Match  # noqa: E402

from cdk.functions import MissingFunctionCode  # noqa: E402
from cdk.stack import (  # noqa: E402
    DEFAULT_FUNCTIONS_ROOT,
    EXPORT_FUNCTIONS,
    FUNCTION_NAMES,
    PIPELINE_STEPS,
    REPO_ROOT,
    CoachingPlatformStack,
)
from cdk.storage import (  # noqa: E402
    DROP_PREFIX,
    FAILED_PREFIX,
    INGEST_MAX_EVENT_AGE,
    INGEST_RETRY_ATTEMPTS,
)
from cdk.workflow import SessionPipeline  # noqa: E402
from coaching.usecases.pipeline_steps import PIPELINE_STEPS as PIPELINE  # noqa: E402
from tests.infra.synthesis import Synth, as_list, synthesize  # noqa: E402

pytestmark = pytest.mark.infra

ASL_FILE = REPO_ROOT / "statemachines" / "session_pipeline.asl.json"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("stack"))


def only(resources: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    assert len(resources) == 1, sorted(resources)
    return next(iter(resources.items()))


def of_storage(resources: dict[str, Any]) -> dict[str, Any]:
    """The transcript storage's own (the sending's dead-letter queues are test_mail_stack's)."""
    return {k: v for k, v in resources.items() if k.startswith("Storage")}


def transcript_key_id(synth: Synth) -> str:
    """The key of the transcript bucket (the API's access logs have a key of their own)."""
    bucket = next(v for k, v in synth.resources_of("AWS::S3::Bucket").items() if "Transcripts" in k)
    (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    return rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]


# --- the saga -------------------------------------------------------------------------------


def test_state_machine_is_standard_traced_and_logs_without_execution_data(synth: Synth) -> None:
    # Given the synthesized stack / Then there is one Standard state machine
    synth.template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    synth.template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "STANDARD",
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": {
                "Level": "ALL",
                "IncludeExecutionData": False,
                "Destinations": Match.any_value(),
            },
        },
    )


def test_every_asl_placeholder_resolves_to_its_step_function_arn(synth: Synth) -> None:
    # Given the definition shipped as an asset and its substitutions
    _, machine = only(synth.resources_of("AWS::StepFunctions::StateMachine"))
    props = machine["Properties"]
    asset = synth.outdir / f"asset.{props['DefinitionS3Location']['Key']}"
    definition = asset.read_text(encoding="utf-8")
    assert definition == ASL_FILE.read_text(encoding="utf-8")
    substitutions = props["DefinitionSubstitutions"]
    functions = synth.functions()

    # Then each placeholder maps to the ARN of the function of the same name
    assert set(PLACEHOLDER.findall(definition)) == set(substitutions)
    for step in PIPELINE:  # through each step's `live` alias
        assert substitutions[step.arn_substitution] == {
            "Ref": synth.alias_of(functions[step.folder])
        }

    # When CloudFormation substitutes them / Then no placeholder is left and the ASL parses
    resolved = PLACEHOLDER.sub(lambda m: f"arn-of:{substitutions[m.group(1)]['Ref']}", definition)
    assert "${" not in resolved
    assert json.loads(resolved)["StartAt"] == "ValidateAndStore"


def test_state_machine_role_invokes_exactly_the_six_step_functions(synth: Synth) -> None:
    # Given the state machine's role and every policy attached to it
    _, machine = only(synth.resources_of("AWS::StepFunctions::StateMachine"))
    statements = synth.role_statements(machine["Properties"]["RoleArn"]["Fn::GetAtt"][0])
    invoke = [s for s in statements if any(a.startswith("lambda:") for a in as_list(s["Action"]))]

    # Then it may invoke the six step functions' `live` aliases, nothing else
    functions = synth.functions()
    assert {a for s in invoke for a in as_list(s["Action"])} == {"lambda:InvokeFunction"}
    assert {r["Ref"] for s in invoke for r in as_list(s["Resource"])} == {
        synth.alias_of(functions[step]) for step in PIPELINE_STEPS
    }
    assert all(r != "*" for s in invoke for r in as_list(s["Resource"]))


# --- the drop bucket and ingest -------------------------------------------------------------


def test_objects_created_under_incoming_invoke_ingest(synth: Synth) -> None:
    ingest = synth.functions()["ingest"]
    synth.template.has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "NotificationConfiguration": {
                "LambdaFunctionConfigurations": [
                    {
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {
                            "Key": {"FilterRules": [{"Name": "prefix", "Value": DROP_PREFIX}]}
                        },
                        "LambdaFunctionArn": {"Ref": synth.alias_of(ingest)},
                    }
                ]
            }
        },
    )
    assert DROP_PREFIX == "incoming/"


def test_transcript_bucket_is_private_encrypted_versioned_and_logged(synth: Synth) -> None:
    buckets = synth.resources_of("AWS::S3::Bucket")
    transcripts = next(v for k, v in buckets.items() if "Transcripts" in k)["Properties"]
    (rule,) = transcripts["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert transcripts["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "DestinationBucketName" in transcripts["LoggingConfiguration"]
    for bucket in buckets.values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert "BucketEncryption" in bucket["Properties"]
    # enforce_ssl: every bucket policy denies requests without TLS
    for policy in synth.resources_of("AWS::S3::BucketPolicy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny"
            and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )


def test_ingest_reads_the_bucket_and_starts_the_pipeline(synth: Synth) -> None:
    ingest_id = synth.functions()["ingest"]
    ingest = synth.resources[ingest_id]["Properties"]
    machine_id, _ = only(synth.resources_of("AWS::StepFunctions::StateMachine"))
    bucket_id = next(k for k in synth.resources_of("AWS::S3::Bucket") if "Transcripts" in k)
    variables = ingest["Environment"]["Variables"]
    assert variables["COACH_STATE_MACHINE_ARN"] == {"Ref": machine_id}
    assert variables["COACH_TRANSCRIPT_BUCKET"] == {"Ref": bucket_id}

    statements = synth.role_statements(ingest["Role"]["Fn::GetAtt"][0])
    start = {"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine_id}}
    assert start in statements
    assert any("s3:GetObject*" in as_list(s["Action"]) for s in statements)
    assert any("kms:Decrypt" in as_list(s["Action"]) for s in statements)


def test_failed_drops_reach_a_dead_letter_queue_after_two_retries(synth: Synth) -> None:
    # Given ingest, which S3 invokes asynchronously
    ingest_id = synth.functions()["ingest"]
    queue_id, queue = only(of_storage(synth.resources_of("AWS::SQS::Queue")))
    queue_arn = {"Fn::GetAtt": [queue_id, "Arn"]}

    # Then an event that still fails after 2 retries (or is older than 6 h) goes to the queue
    configs = synth.resources_of("AWS::Lambda::EventInvokeConfig")
    _, invoke = only(
        {k: v for k, v in configs.items() if v["Properties"]["FunctionName"] == {"Ref": ingest_id}}
    )
    assert invoke["Properties"] == {
        "FunctionName": {"Ref": ingest_id},
        # The `live` alias's name, the qualifier S3 invokes
        "Qualifier": {"Fn::Select": [7, {"Fn::Split": [":", {"Ref": synth.alias_of(ingest_id)}]}]},
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 6 * 3600,
        "DestinationConfig": {"OnFailure": {"Destination": queue_arn}},
    }
    assert INGEST_RETRY_ATTEMPTS == 2 and INGEST_MAX_EVENT_AGE.to_seconds() == 6 * 3600
    # And ingest may send to that one queue
    role_id = synth.resources[ingest_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    sends = [s for s in synth.role_statements(role_id) if "sqs:SendMessage" in as_list(s["Action"])]
    assert [s["Resource"] for s in sends] == [queue_arn]

    # And the queue is encrypted, keeps events 14 days, survives the stack, and needs TLS
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["DeletionPolicy"] == "Retain"
    _, policy = only(of_storage(synth.resources_of("AWS::SQS::QueuePolicy")))
    assert policy["Properties"]["Queues"] == [{"Ref": queue_id}]
    assert any(
        s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    )


def test_an_alarm_fires_when_a_dropped_event_is_waiting(synth: Synth) -> None:
    queue_id, _ = only(of_storage(synth.resources_of("AWS::SQS::Queue")))
    _, alarm = only(
        {
            k: v
            for k, v in synth.resources_of("AWS::CloudWatch::Alarm").items()
            if v["Properties"].get("Namespace") == "AWS/SQS" and queue_id in json.dumps(v)
        }
    )
    props = alarm["Properties"]
    assert props["Namespace"] == "AWS/SQS"
    assert props["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert props["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}
    ]
    assert props["Statistic"] == "Maximum"
    assert props["ComparisonOperator"] == "GreaterThanThreshold"
    assert props["Threshold"] == 0
    assert props["EvaluationPeriods"] == 1
    assert props["TreatMissingData"] == "notBreaching"
    assert props["AlarmDescription"]


def uses_connections_key(statement: dict[str, Any]) -> bool:
    """A grant on the WebSocket connections table's key (the steps that push: sockets.py),
    not on the transcripts'."""
    return "SocketsConnectionsKey" in json.dumps(statement["Resource"])


def coaching_layers(synth: Synth) -> dict[str, Any]:
    """The stack's own layer (not the AWS CLI layer of CDK's web app BucketDeployment)."""
    layers = synth.resources_of("AWS::Lambda::LayerVersion")
    return {k: v for k, v in layers.items() if k.startswith("LayersCoaching")}


def test_compensate_reads_incoming_and_writes_failed_only(synth: Synth) -> None:
    # Given the compensate function, which copies a failed drop to failed/
    props = synth.resources[synth.functions()["compensate"]]["Properties"]
    bucket_id = next(k for k in synth.resources_of("AWS::S3::Bucket") if "Transcripts" in k)
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    key_id = transcript_key_id(synth)
    assert props["Environment"]["Variables"]["COACH_TRANSCRIPT_BUCKET"] == {"Ref": bucket_id}
    statements = synth.role_statements(props["Role"]["Fn::GetAtt"][0])

    def objects(prefix: str) -> dict[str, Any]:
        return {"Fn::Join": ["", [bucket_arn, f"/{prefix}*"]]}

    # Then its S3 rights are exactly: get objects under incoming/, put objects under failed/
    s3 = [s for s in statements if any(a.startswith("s3:") for a in as_list(s["Action"]))]
    assert sorted((json.dumps(s["Action"]), json.dumps(s["Resource"])) for s in s3) == sorted(
        [
            (json.dumps("s3:GetObject"), json.dumps(objects(DROP_PREFIX))),
            (json.dumps("s3:PutObject"), json.dumps(objects(FAILED_PREFIX))),
        ]
    )
    assert all(s["Effect"] == "Allow" for s in s3)
    # And it may use the bucket's key, only through S3
    (kms,) = [
        s
        for s in statements
        if any(a.startswith("kms:") for a in as_list(s["Action"])) and not uses_connections_key(s)
    ]
    assert sorted(as_list(kms["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert kms["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert list(kms["Condition"]["StringEquals"]) == ["kms:ViaService"]
    assert FAILED_PREFIX == "failed/"


def test_pipeline_steps_name_the_bucket_and_only_validate_and_store_reads_it(synth: Synth) -> None:
    # Given every pipeline step builds its ObjectStore from COACH_TRANSCRIPT_BUCKET
    functions = synth.functions()
    bucket_id = next(k for k in synth.resources_of("AWS::S3::Bucket") if "Transcripts" in k)
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    key_id = transcript_key_id(synth)
    for step in PIPELINE_STEPS:
        props = synth.resources[functions[step]]["Properties"]
        # Then each step names the transcript bucket
        assert props["Environment"]["Variables"]["COACH_TRANSCRIPT_BUCKET"] == {"Ref": bucket_id}, (
            step
        )
        statements = synth.role_statements(props["Role"]["Fn::GetAtt"][0])
        reads = [s for s in statements if "s3:GetObject*" in as_list(s["Action"])]
        decrypts = [
            s
            for s in statements
            if "kms:Decrypt" in as_list(s["Action"]) and not uses_connections_key(s)
        ]
        if step == "compensate":
            # Compensate reads only incoming/ (to keep a failed drop): see its own test
            assert reads == [], step
            continue
        if step != "validate_and_store":
            # And only the step that reads the transcript may read the bucket
            assert reads == [] and decrypts == [], step
            continue
        # validate_and_store reads objects of that one bucket and decrypts with its key
        (read,) = reads
        assert bucket_arn in as_list(read["Resource"])
        assert {"Fn::Join": ["", [bucket_arn, "/*"]]} in as_list(read["Resource"])
        assert all(r != "*" for r in as_list(read["Resource"]))
        assert any({"Fn::GetAtt": [key_id, "Arn"]} in as_list(s["Resource"]) for s in decrypts)


# --- functions and layers -------------------------------------------------------------------


def test_every_function_is_python313_traced_with_the_one_layer(synth: Synth) -> None:
    # Issue 11: python3.11 runs on Amazon Linux 2 (deprecated 30 Jun 2026), and Powertools
    # comes pinned inside our dependencies layer instead of the public layer.
    # Issue 17: the functions that write Parquet run with the exports layer instead.
    functions = synth.functions()
    assert set(functions) == set(FUNCTION_NAMES)
    coaching_layer, _ = only(coaching_layers(synth))
    exports_layer, _ = only(
        {
            k: v
            for k, v in synth.resources_of("AWS::Lambda::LayerVersion").items()
            if k.startswith("LayersExports")
        }
    )
    for name, logical_id in functions.items():
        props = synth.resources[logical_id]["Properties"]
        assert props["Runtime"] == "python3.13", name
        assert props["Architectures"] == ["x86_64"], name
        assert props["Handler"] == "handler.lambda_handler", name
        assert props["TracingConfig"] == {"Mode": "Active"}, name
        layer = exports_layer if name in EXPORT_FUNCTIONS else coaching_layer
        assert props["Layers"] == [{"Ref": layer}], name
        variables = props["Environment"]["Variables"]
        assert variables["COACH_RUNTIME"] == "aws"
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "CoachingPlatform"
        assert variables["POWERTOOLS_SERVICE_NAME"] == name
        assert variables["LOG_LEVEL"] == "INFO"


def test_coaching_layer_ships_the_package_under_python_with_bytecode_for_3_13_only(
    synth: Synth,
) -> None:
    _, layer = only(coaching_layers(synth))
    asset = synth.outdir / f"asset.{layer['Properties']['Content']['S3Key'].removesuffix('.zip')}"
    assert (asset / "python" / "coaching" / "__init__.py").is_file()
    # Issue 11: with the locked dependencies, and not the runtime's own boto3
    for dependency in ("pydantic_settings", "psycopg", "psycopg_binary", "aws_lambda_powertools"):
        assert (asset / "python" / dependency).is_dir(), dependency
    assert not (asset / "python" / "boto3").exists()
    assert not (asset / "python" / "botocore").exists()
    assert [p.name for p in asset.iterdir()] == ["python"]
    # Issue 11: bytecode shipped (Lambda cannot write it to /opt: each cold start would
    # compile), only for the runtime's Python, never what this machine's 3.11 left behind
    bytecode = [p.name for p in asset.rglob("__pycache__/*.pyc")]
    assert bytecode, "no bytecode shipped"
    assert all(".cpython-313." in name for name in bytecode), {
        n for n in bytecode if ".cpython-313." not in n
    }


# --- gates: cdk-nag and cfn-lint ------------------------------------------------------------


def test_cdk_nag_aws_solutions_reports_no_unsuppressed_errors(synth: Synth) -> None:
    # With annotationsInValidationReport (cdk.json) an unsuppressed error already fails the
    # synth in the fixture, printing the rule and path; this also holds with the flag off.
    annotations = Annotations.from_stack(synth.stack)
    warnings = annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*"))
    for warning in warnings:
        print(f"cdk-nag warning at {warning.id}: {warning.entry.data}")
    errors = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{e.id}: {e.entry.data}" for e in errors] == []


def test_cfn_lint_reports_no_errors(synth: Synth) -> None:
    template = synth.outdir / f"{synth.stack.artifact_id}.template.json"
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    command = [str(cfn_lint)] if cfn_lint.exists() else [sys.executable, "-m", "cfnlint"]
    result = subprocess.run(
        [*command, "--format", "json", str(template)], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip(), result.stderr
    findings = json.loads(result.stdout)
    for finding in findings:
        if finding["Level"] != "Error":
            print(f"cfn-lint {finding['Level']} {finding['Rule']['Id']}: {finding['Message']}")
    errors = [f"{f['Rule']['Id']}: {f['Message']}" for f in findings if f["Level"] == "Error"]
    assert errors == []


# --- failing early with a clear message -----------------------------------------------------


def test_missing_function_folders_are_all_named_before_synth(tmp_path: Path) -> None:
    with pytest.raises(MissingFunctionCode) as raised:
        CoachingPlatformStack(App(), "Broken", functions_root=tmp_path)
    for name in FUNCTION_NAMES:
        assert name in str(raised.value)


def test_a_step_function_without_an_asl_placeholder_is_rejected() -> None:
    stack = Stack(App(), "Pipeline")
    steps = {
        f"{name}FunctionArn": lambda_.Function.from_function_arn(
            stack, name, f"arn:aws:lambda:eu-west-1:111111111111:function:{name}"
        )
        for name in (*(step.name for step in PIPELINE[:-1]), "NotInTheAsl")
    }
    with pytest.raises(ValueError, match="do not match"):
        SessionPipeline(stack, "Workflow", definition_file=ASL_FILE, step_functions=steps)


def test_real_functions_folder_synthesizes_cleanly(tmp_path: Path) -> None:
    synth = synthesize(tmp_path, functions_root=DEFAULT_FUNCTIONS_ROOT)
    assert set(synth.functions()) == set(FUNCTION_NAMES)
    errors = Annotations.from_stack(synth.stack).find_error(
        "*", Match.string_like_regexp("AwsSolutions-.*")
    )
    assert errors == []


def test_only_the_api_may_make_and_unwrap_client_field_data_keys_and_scheduled_sends_unwrap(
    synth: Synth,
) -> None:
    key_id = next(k for k in synth.resources_of("AWS::KMS::Key") if "ClientFields" in k)
    assert synth.resources[key_id]["Properties"]["EnableKeyRotation"] is True
    functions = synth.functions()
    for name, function_id in functions.items():
        function = synth.resources[function_id]["Properties"]
        variables = function["Environment"]["Variables"]
        statements = synth.role_statements(function["Role"]["Fn::GetAtt"][0])
        on_key = [s for s in statements if key_id in json.dumps(s.get("Resource"))]
        if name == "api":
            assert variables["COACH_FIELD_KMS_KEY_ID"] == {"Fn::GetAtt": [key_id, "Arn"]}
            assert {a for s in on_key for a in as_list(s["Action"])} == {
                "kms:GenerateDataKey",
                "kms:Decrypt",
            }
        # send_scheduled reads the client's address to send, export to export it (issue 17):
        # unwraps only
        elif name in ("send_scheduled", "export"):
            assert variables["COACH_FIELD_KMS_KEY_ID"] == {"Fn::GetAtt": [key_id, "Arn"]}
            assert {a for s in on_key for a in as_list(s["Action"])} == {"kms:Decrypt"}
        else:
            assert "COACH_FIELD_KMS_KEY_ID" not in variables and not on_key, name


# --- coach notices ------------------------------------------------------------------------


def test_held_coach_notices_are_sent_every_quarter_hour_by_their_function(synth: Synth) -> None:
    (rule,) = [
        props
        for props in synth.of_type("AWS::Events::Rule").values()
        if props["Targets"][0]["Arn"] == {"Ref": synth.alias_id("send_coach_notices")}
    ]
    assert rule["ScheduleExpression"] == "rate(15 minutes)"
    # No retries of its own: the next run sends what one missed, and never twice
    assert rule["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] == 0
    _, function = synth.function("send_coach_notices")
    variables = function["Environment"]["Variables"]
    assert {"COACH_SENDER_EMAIL", "COACH_WEB_BASE_URL", "COACH_DATABASE_SECRET_ARN"} <= set(
        variables
    )
    # It sends email from the sender only, like every notice to a coach
    (send,) = synth.grants("send_coach_notices")["ses:SendEmail"][:1]
    assert send["condition"] == {
        "StringEquals": {"ses:FromAddress": variables["COACH_SENDER_EMAIL"]}
    }
    alarms = [
        props
        for logical_id, props in synth.of_type("AWS::CloudWatch::Alarm").items()
        if logical_id.startswith("CoachNotices")
    ]
    assert len(alarms) == 1 and alarms[0]["AlarmActions"]
