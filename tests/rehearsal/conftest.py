"""The deployment rehearsal's fixtures: the built packages, AWS served by moto, one PostgreSQL.

Built once per run: the layer (cached by the lock's hash), the cloud assembly (synth), a
moto server the functions reach through AWS_ENDPOINT_URL, and one Lambda environment per
function, started on first use. The database is the shared embedded PostgreSQL of the
`platform` fixture, reached by the functions through a Secrets Manager secret.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk import App
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer
from psycopg.conninfo import conninfo_to_dict

from cdk import layer_build
from cdk.context import cdk_json_context
from cdk.stack import FUNCTION_NAMES, CoachingPlatformStack
from coaching.adapters.local.stepfunctions import StepFunctionsEngine
from coaching.ports.workflow import ExecutionResult
from tests.rehearsal.harness import (
    REGION,
    DeployedFunction,
    Deployment,
    LambdaHost,
    RehearsalPython,
    base_environment,
    runtime_sdk,
    synthesized_deployment,
)

# Settings the rehearsal gives its own value, whatever the template says: the database is
# reached through the rehearsal's secret, at the embedded server standing for RDS Proxy.
DATABASE_SECRET = "COACH_DATABASE_SECRET_ARN"
DATABASE_HOST = "COACH_DATABASE_HOST"
SENDER = "COACH_SENDER_EMAIL"


@pytest.fixture(scope="session")
def rehearsal_python() -> RehearsalPython:
    return RehearsalPython.find()


@pytest.fixture(scope="session")
def layer_site(rehearsal_python: RehearsalPython) -> Path | None:
    """The layer to run with when it is not the deployed one (no python3.13 here)."""
    try:
        # Synth deploys this one. Left as it is when current: `make infra` may be
        # synthesizing from it at the same time (`coaching` is copied fresh by synth).
        layer_build.built_layer()
    except layer_build.LayerBuildError:
        layer_build.build_layer()
    if rehearsal_python.is_deployed_runtime:
        return None
    return layer_build.build_layer(rehearsal_python.version).site


@pytest.fixture(scope="session")
def deployment(layer_site: Path | None, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(context=cdk_json_context(), outdir=str(outdir))
    CoachingPlatformStack(app, "CoachingPlatform")
    app.synth()
    return synthesized_deployment(outdir, FUNCTION_NAMES)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RehearsalAws:
    """moto in server mode: the functions reach it over HTTP, as they would reach AWS."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.session = boto3.Session(
            aws_access_key_id="rehearsal",
            aws_secret_access_key="rehearsal",  # noqa: S106 - moto's
            region_name=REGION,
        )
        self.by_logical_id: dict[str, str] = {}  # what a Ref to the resource gives
        self.arns: dict[str, str] = {}  # what its GetAtt Arn gives

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)

    def provide(self, deployment: Deployment, database_url: str) -> dict[str, str]:
        """The template's resources the functions name, created in moto; the settings."""
        s3 = self.client("s3")
        for logical_id in deployment.resources_of_type("AWS::S3::Bucket"):
            name = f"rehearsal-{logical_id.lower()}"[:63]
            s3.create_bucket(Bucket=name)
            self.by_logical_id[logical_id] = name
        kms = self.client("kms")
        for logical_id in deployment.resources_of_type("AWS::KMS::Key"):
            key = kms.create_key()["KeyMetadata"]
            self.by_logical_id[logical_id] = key["KeyId"]
            self.arns[logical_id] = key["Arn"]
        cognito = self.client("cognito-idp")
        for logical_id in deployment.resources_of_type("AWS::Cognito::UserPool"):
            pool = cognito.create_user_pool(PoolName=logical_id)["UserPool"]["Id"]
            self.by_logical_id[logical_id] = pool
            for client_id in deployment.resources_of_type("AWS::Cognito::UserPoolClient"):
                client = cognito.create_user_pool_client(UserPoolId=pool, ClientName=client_id)
                self.by_logical_id[client_id] = client["UserPoolClient"]["ClientId"]
        server = conninfo_to_dict(database_url)
        secret = {
            "engine": "postgres",
            "host": "aurora.cluster-rehearsal.us-east-1.rds.amazonaws.com",
            "port": int(server.get("port", 5432)),
            "username": server["user"],
            "password": server.get("password") or "rehearsal",
            "dbname": server["dbname"],
        }
        arn = self.client("secretsmanager").create_secret(
            Name=f"rehearsal-database-{uuid.uuid4().hex[:8]}", SecretString=json.dumps(secret)
        )["ARN"]
        return {DATABASE_SECRET: arn, DATABASE_HOST: server["host"]}

    def environment_of(
        self, function: DeployedFunction, settings: dict[str, str]
    ) -> tuple[dict[str, str], list[str]]:
        """The function's variables with each reference resolved; the names left unknown."""
        resolved: dict[str, str] = {}
        unknown: list[str] = []
        for name, value in function.environment.items():
            if isinstance(value, str):
                resolved[name] = value
            elif isinstance(value, dict) and value.get("Ref") in self.by_logical_id:
                resolved[name] = self.by_logical_id[value["Ref"]]
            elif isinstance(value, dict) and value.get("Fn::GetAtt", [None])[0] in self.arns:
                resolved[name] = self.arns[value["Fn::GetAtt"][0]]
            elif name not in settings:
                resolved[name] = f"rehearsal-unresolved-{name.lower()}"
                unknown.append(name)
        return resolved | settings, unknown


@pytest.fixture(scope="session")
def aws() -> Iterator[RehearsalAws]:
    # The Step Functions API answered by moto's ASL interpreter (what the local runtime runs).
    previous = dict(default_user_config["stepfunctions"])
    default_user_config["stepfunctions"]["execute_state_machine"] = True
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield RehearsalAws(f"http://127.0.0.1:{port}")
    server.stop()
    default_user_config["stepfunctions"] = previous  # type: ignore[typeddict-item]


class SynthesizedPipeline:
    """The synthesized state machine on the local engine, its tasks bound to built handlers."""

    def __init__(self, definition: str) -> None:
        # Retry waits skipped: the rehearsal checks where a run goes, not how long it waits.
        self._engine = StepFunctionsEngine(definition, {}, retry_sleep=lambda seconds: None)
        self.arn = self._engine.state_machine_arn

    def bind(self, tasks: dict[str, LambdaHost]) -> None:
        for function_name, host in tasks.items():
            self._engine.set_handler(function_name, lambda event, context, h=host: h.invoke(event))
        # Runs are started by the built ingest function through moto's API, not by the engine.
        self._engine.bind()

    def wait(self, execution_name: str) -> ExecutionResult:
        execution = self._engine.wait(execution_name, timeout_seconds=300)
        return ExecutionResult(
            name=execution_name,
            status=execution.status,
            output=execution.output if isinstance(execution.output, dict) else None,
            error=execution.error,
            cause=execution.cause,
        )

    def history(self, execution_name: str) -> list[dict[str, Any]]:
        return self._engine.history(execution_name)

    def close(self) -> None:
        self._engine.delete()


class LambdaFleet:
    """One Lambda environment per deployed function, each started on first invocation."""

    def __init__(
        self,
        hosts: dict[str, LambdaHost],
        unresolved: dict[str, list[str]],
        pipeline: SynthesizedPipeline,
    ) -> None:
        self.hosts = hosts
        self.unresolved = unresolved
        self.pipeline = pipeline

    def __getitem__(self, name: str) -> LambdaHost:
        return self.hosts[name]

    def stop(self) -> None:
        for host in self.hosts.values():
            host.stop()


@pytest.fixture(scope="session")
def fleet(
    deployment: Deployment,
    aws: RehearsalAws,
    platform,
    rehearsal_python: RehearsalPython,
    layer_site: Path | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LambdaFleet]:
    settings = aws.provide(deployment, platform.settings.database_url)
    (machine,) = deployment.resources_of_type("AWS::StepFunctions::StateMachine")
    by_id = {f.logical_id: f for f in deployment.functions.values()}
    pipeline = SynthesizedPipeline(deployment.definition_with(lambda fid: by_id[fid].arn))
    aws.by_logical_id[machine] = pipeline.arn
    sdk = runtime_sdk(rehearsal_python.version)
    logs = tmp_path_factory.mktemp("function-logs")
    hosts: dict[str, LambdaHost] = {}
    unresolved: dict[str, list[str]] = {}
    senders: set[str] = set()
    for name, function in deployment.functions.items():
        environment, unresolved[name] = aws.environment_of(function, settings)
        senders.add(environment.get(SENDER, "no-reply@example.com").split("@")[-1])
        layers = [layer_site] if layer_site else list(function.layers)
        hosts[name] = LambdaHost(
            python=rehearsal_python.executable,
            path=[function.code, *layers, sdk],
            environment={
                **base_environment(function),
                "AWS_ACCESS_KEY_ID": "rehearsal",
                "AWS_SECRET_ACCESS_KEY": "rehearsal",
                "AWS_ENDPOINT_URL": aws.endpoint,
                **environment,
            },
            log=logs / f"{name}.log",
        )
    for domain in senders:  # SES sends only from verified identities
        aws.client("sesv2").create_email_identity(EmailIdentity=domain)
    pipeline.bind({f.function_name: hosts[f.name] for f in deployment.functions.values()})
    fleet = LambdaFleet(hosts, unresolved, pipeline)
    yield fleet
    fleet.stop()
    pipeline.close()
