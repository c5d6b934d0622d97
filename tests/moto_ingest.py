"""The ingest Lambda on moto: S3 with the transcript bucket, Step Functions with a stand-in
for the session pipeline, and ingest configured for both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import pytest
from moto.s3.models import s3_backends
from moto.stepfunctions.models import stepfunctions_backends

from coaching.composition import build_ports
from coaching.config import Settings
from tests.moto_scope import scoped_mock_aws

REGION = "us-east-1"
BUCKET = "coaching-transcripts-example"  # the bucket named in the sample S3 event
PASS_MACHINE = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@dataclass(frozen=True)
class LambdaContext:
    """What Powertools' inject_lambda_context reads."""

    function_name: str = "ingest"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:ingest"
    aws_request_id: str = "5a1d6f3e-2c1b-4d0e-9f8a-7b6c5d4e3f21"


@contextmanager
def ingest_on_moto(monkeypatch: pytest.MonkeyPatch, **environment: str) -> Iterator[dict]:
    """{"s3", "sfn", "machine"} while ingest runs against moto; ``environment``: more
    settings for it."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with scoped_mock_aws(s3_backends, stepfunctions_backends):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = sfn.create_state_machine(
            name="session-pipeline",
            definition=json.dumps(PASS_MACHINE),
            roleArn="arn:aws:iam::123456789012:role/session-pipeline",
        )["stateMachineArn"]
        monkeypatch.setenv("COACH_RUNTIME", "aws")
        monkeypatch.setenv("COACH_STATE_MACHINE_ARN", machine)
        monkeypatch.setenv("COACH_TRANSCRIPT_BUCKET", BUCKET)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        # A Lambda environment's ports, from its settings; built inside the mock, as their
        # boto3 clients must be.
        ports = build_ports(Settings())
        yield {"s3": s3, "sfn": sfn, "machine": machine, "ports": ports}
    monkeypatch.undo()


def executions(aws: dict) -> list[dict]:
    return aws["sfn"].list_executions(stateMachineArn=aws["machine"])["executions"]


def execution_input(aws: dict, execution: dict) -> dict:
    described = aws["sfn"].describe_execution(executionArn=execution["executionArn"])
    return json.loads(described["input"])
