"""The deployment rehearsal's fixtures: the built packages, AWS served by moto, one PostgreSQL.

Built once per run: the layer (cached by the lock's hash), the cloud assembly (synth), a
moto server the functions reach through AWS_ENDPOINT_URL, and one Lambda environment per
function, started on first use. The database is the shared embedded PostgreSQL of the
`platform` fixture, reached by the functions through a Secrets Manager secret.
"""

from __future__ import annotations

import json
import secrets
import socket
import uuid
from collections.abc import Callable, Iterator
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
    ACCOUNT,
    REGION,
    DeployedFunction,
    Deployment,
    FunctionError,
    LambdaHost,
    RehearsalPython,
    base_environment,
    runtime_sdk,
    synthesized_deployment,
)
from tests.rehearsal.stand_ins import URL_ROUTES, Invoker, StandIns

DATABASE_SECRET = "COACH_DATABASE_SECRET_ARN"
# The host of RDS Proxy's endpoint: the embedded server stands for it.
PROXY_ENDPOINT = "Endpoint"
# Settings whose deployed value resolves (the template provides it) but cannot be reached
# from here: the rehearsal's stand-in is used instead (tests/rehearsal/stand_ins.py).
WEBSOCKET_ENDPOINT = "COACH_WEBSOCKET_ENDPOINT"
# The search indexes in AWS: the collection's endpoint (reached through its VPC endpoint)
# and the Pinecone index's host (when coaching:pineconeIndexHost is set), stood in for too.
OPENSEARCH_ENDPOINT = "COACH_OPENSEARCH_ENDPOINT"
PINECONE_INDEX_HOST = "COACH_PINECONE_INDEX_HOST"
# What Ref of a pseudo parameter gives.
COGNITO = f"https://cognito-idp.{REGION}.amazonaws.com"
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


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


def database_secret(database_url: str, dbname: str | None = None) -> dict[str, Any]:
    """The RDS secret's shape for the embedded server; the host is the cluster's (the
    functions connect to COACH_DATABASE_HOST, the proxy, instead)."""
    server = conninfo_to_dict(database_url)
    return {
        "engine": "postgres",
        "host": "aurora.cluster-rehearsal.us-east-1.rds.amazonaws.com",
        "port": int(server.get("port", 5432)),
        "username": server["user"],
        "password": server.get("password") or "rehearsal",
        "dbname": dbname or server["dbname"],
    }


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
        self.attributes: dict[tuple[str, str], str] = {}  # what its GetAtt gives
        self._database_secret = ""  # set by provide()
        self._database_host = ""
        self._deployment: Deployment | None = None

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)

    def create_secret(self, value: dict[str, Any]) -> str:
        name = f"rehearsal-database-{uuid.uuid4().hex[:8]}"
        return self.client("secretsmanager").create_secret(
            Name=name, SecretString=json.dumps(value)
        )["ARN"]

    def provide(self, deployment: Deployment, database_url: str) -> None:
        """The template's resources the functions name, created in moto (or stood in for),
        kind by kind in this order (a pool before its clients)."""
        # The database: the embedded server stands for Aurora and RDS Proxy, its secret in
        # Secrets Manager as the cluster's attachment gives it.
        self._database_secret = self.create_secret(database_secret(database_url))
        self._database_host = conninfo_to_dict(database_url)["host"]
        self._deployment = deployment
        providers: dict[str, Callable[[str, dict[str, Any]], None]] = {
            "AWS::S3::Bucket": self._bucket,
            "AWS::KMS::Key": self._key,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Cognito::UserPoolClient": self._user_pool_client,
            "AWS::DynamoDB::Table": self._table,
            "AWS::SNS::Topic": self._topic,
            "AWS::SES::ConfigurationSet": self._configuration_set,
            "AWS::SES::EmailIdentity": self._email_identity,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::SecretsManager::SecretTargetAttachment": self._secret,
            "AWS::RDS::DBProxy": self._proxy,
            "AWS::ApiGatewayV2::Api": self._websocket_api,
            "AWS::ApiGateway::RestApi": self._rest_api,
            "AWS::CloudFront::Distribution": self._distribution,
            "AWS::Lambda::Version": self._version,
            "AWS::OpenSearchServerless::Collection": self._collection,
            "AWS::Lambda::Alias": self._alias,
            "AWS::IAM::Role": self._role,
            "AWS::SQS::Queue": self._queue,
            "AWS::Scheduler::ScheduleGroup": self._schedule_group,
        }
        resources = deployment.template["Resources"]
        for kind, provide in providers.items():
            for logical_id in deployment.resources_of_type(kind):
                provide(logical_id, resources[logical_id].get("Properties", {}))

    def _bucket(self, logical_id: str, props: dict[str, Any]) -> None:
        name = f"rehearsal-{logical_id.lower()}"[:63]
        self.client("s3").create_bucket(Bucket=name)
        self.by_logical_id[logical_id] = name

    def _key(self, logical_id: str, props: dict[str, Any]) -> None:
        key = self.client("kms").create_key()["KeyMetadata"]
        self.by_logical_id[logical_id] = key["KeyId"]
        self.attributes[logical_id, "Arn"] = key["Arn"]

    def _user_pool(self, logical_id: str, props: dict[str, Any]) -> None:
        # Its custom attributes (organization, role, coach) end up in the ID token.
        pool = self.client("cognito-idp").create_user_pool(
            PoolName=logical_id, Schema=props.get("Schema", [])
        )["UserPool"]
        self.by_logical_id[logical_id] = pool["Id"]
        self.attributes[logical_id, "Arn"] = pool["Arn"]

    def _user_pool_client(self, logical_id: str, props: dict[str, Any]) -> None:
        pool_id = self.by_logical_id[props["UserPoolId"]["Ref"]]
        client = self.client("cognito-idp").create_user_pool_client(
            UserPoolId=pool_id, ClientName=logical_id
        )
        self.by_logical_id[logical_id] = client["UserPoolClient"]["ClientId"]

    def _table(self, logical_id: str, props: dict[str, Any]) -> None:
        """The table with the template's keys and indexes (a query by a GSI needs it)."""
        dynamodb = self.client("dynamodb")
        name = f"rehearsal-{logical_id}"
        shape = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
        created = dynamodb.create_table(
            TableName=name,
            BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
            **{key: props[key] for key in shape if key in props},
        )["TableDescription"]
        if "TimeToLiveSpecification" in props:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"]
            )
        self.by_logical_id[logical_id] = name
        self.attributes[logical_id, "Arn"] = created["TableArn"]

    def _topic(self, logical_id: str, props: dict[str, Any]) -> None:
        arn = self.client("sns").create_topic(Name=f"rehearsal-{logical_id}")["TopicArn"]
        self.by_logical_id[logical_id] = arn
        self.attributes[logical_id, "TopicArn"] = arn

    def _configuration_set(self, logical_id: str, props: dict[str, Any]) -> None:
        name = f"rehearsal-{logical_id}"
        self.client("sesv2").create_configuration_set(ConfigurationSetName=name)
        self.by_logical_id[logical_id] = name

    def _email_identity(self, logical_id: str, props: dict[str, Any]) -> None:
        # SES sends only from verified identities: the stack's own (moto verifies at once).
        self.client("sesv2").create_email_identity(EmailIdentity=props["EmailIdentity"])
        self.by_logical_id[logical_id] = props["EmailIdentity"]

    def _secret(self, logical_id: str, props: dict[str, Any]) -> None:
        generated = props.get("GenerateSecretString") or {}
        if "GenerateSecretString" in props and "SecretStringTemplate" not in generated:
            # A plain generated value (the unsubscribe links' key), not the database's JSON.
            value = secrets.token_urlsafe(generated.get("PasswordLength", 32))
            self.by_logical_id[logical_id] = self.client("secretsmanager").create_secret(
                Name=f"rehearsal-{logical_id}", SecretString=value
            )["ARN"]
            return
        self.by_logical_id[logical_id] = self._database_secret

    def _proxy(self, logical_id: str, props: dict[str, Any]) -> None:
        self.attributes[logical_id, PROXY_ENDPOINT] = self._database_host

    # Names only: nothing the functions call at these addresses runs here. A push to the
    # WebSocket API goes to the stand-in instead (WEBSOCKET_ENDPOINT).
    def _websocket_api(self, logical_id: str, props: dict[str, Any]) -> None:
        self.by_logical_id[logical_id] = f"ws{logical_id.lower()[:8]}"

    def _rest_api(self, logical_id: str, props: dict[str, Any]) -> None:
        # The unsubscribe links' base (COACH_API_BASE_URL): a name in an email, never called.
        self.by_logical_id[logical_id] = f"rest{logical_id.lower()[:8]}"

    def _distribution(self, logical_id: str, props: dict[str, Any]) -> None:
        self.attributes[logical_id, "DomainName"] = f"{logical_id.lower()[:12]}.cloudfront.net"

    def _collection(self, logical_id: str, props: dict[str, Any]) -> None:
        """Names only: the functions' requests go to the stand-in (OPENSEARCH_ENDPOINT)."""
        collection_id = f"rehearsal{logical_id.lower()[:12]}"
        self.by_logical_id[logical_id] = collection_id
        self.attributes[logical_id, "Id"] = collection_id
        self.attributes[logical_id, "Arn"] = (
            f"arn:aws:aoss:{REGION}:{ACCOUNT}:collection/{collection_id}"
        )
        self.attributes[logical_id, "CollectionEndpoint"] = (
            f"https://{collection_id}.{REGION}.aoss.amazonaws.com"
        )

    def _alias(self, logical_id: str, props: dict[str, Any]) -> None:
        """A `live` alias's ARN: Lambda Invoke of it is answered by the stand-in."""
        deployment = self._deployment
        assert deployment is not None
        function = deployment.function_named(deployment.function_behind(logical_id))
        if function is not None:
            self.by_logical_id[logical_id] = f"{function.arn}:{props['Name']}"

    def _role(self, logical_id: str, props: dict[str, Any]) -> None:
        # A name only: what a role may do is checked by tests/infra, not here.
        self.attributes[logical_id, "Arn"] = f"arn:aws:iam::{ACCOUNT}:role/rehearsal-{logical_id}"

    def _queue(self, logical_id: str, props: dict[str, Any]) -> None:
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=f"rehearsal-{logical_id}"[:80])["QueueUrl"]
        self.by_logical_id[logical_id] = url
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        self.attributes[logical_id, "Arn"] = arn["Attributes"]["QueueArn"]

    def _schedule_group(self, logical_id: str, props: dict[str, Any]) -> None:
        self.client("scheduler").create_schedule_group(Name=props["Name"])
        self.by_logical_id[logical_id] = props["Name"]

    def _version(self, logical_id: str, props: dict[str, Any]) -> None:
        """A function version's ARN: Lambda Invoke of it is answered by the stand-in."""
        deployment = self._deployment
        assert deployment is not None
        function = deployment.function_named(deployment.function_behind(logical_id))
        if function is not None:
            self.by_logical_id[logical_id] = f"{function.arn}:1"

    def resolve(self, value: Any) -> str | None:
        """A template value as the deployed function would see it; None when unknown here."""
        if isinstance(value, str):
            return value
        if not isinstance(value, dict) or len(value) != 1:
            return None
        ((intrinsic, argument),) = value.items()
        if intrinsic == "Ref":
            return PSEUDO_PARAMETERS.get(argument) or self.by_logical_id.get(argument)
        if intrinsic == "Fn::GetAtt":
            return self.attributes.get((argument[0], argument[1]))
        if intrinsic == "Fn::Join":
            separator, parts = argument
            resolved = [self.resolve(part) for part in parts]
            return None if None in resolved else separator.join(map(str, resolved))
        return None

    def environment_of(
        self, function: DeployedFunction, stand_ins: dict[str, str]
    ) -> tuple[dict[str, str], list[str]]:
        """The function's variables with each reference resolved; the names left unknown.
        A stand-in replaces a variable's value only where the template's value resolved."""
        resolved: dict[str, str] = {}
        unknown: list[str] = []
        for name, value in function.environment.items():
            known = self.resolve(value)
            if known is None:
                resolved[name] = f"rehearsal-unresolved-{name.lower()}"
                unknown.append(name)
            else:
                resolved[name] = stand_ins.get(name, known)
        return resolved, unknown


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
        stand_ins: StandIns,
    ) -> None:
        self.hosts = hosts
        self.unresolved = unresolved
        self.pipeline = pipeline
        self.stand_ins = stand_ins

    def __getitem__(self, name: str) -> LambdaHost:
        return self.hosts[name]

    def stop(self) -> None:
        for host in self.hosts.values():
            host.stop()


def lambda_invoke(deployment: Deployment, hosts: dict[str, LambdaHost]) -> Invoker:
    """Lambda's Invoke of a function by name or ARN (qualified or not), by its built host."""
    names = {f.function_name: f.name for f in deployment.functions.values()}

    def invoke(function: str, event: Any) -> tuple[Any, bool]:
        name = function.split(":function:")[-1].split(":")[0]
        try:
            return hosts[names[name]].invoke(event), False
        except FunctionError as error:
            return {k: error.reply[k] for k in ("errorType", "errorMessage")}, True

    return invoke


@pytest.fixture(scope="session")
def fleet(
    deployment: Deployment,
    aws: RehearsalAws,
    platform,
    rehearsal_python: RehearsalPython,
    layer_site: Path | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LambdaFleet]:
    aws.provide(deployment, platform.settings.database_url)
    (machine,) = deployment.resources_of_type("AWS::StepFunctions::StateMachine")
    by_id = {f.logical_id: f for f in deployment.functions.values()}
    pipeline = SynthesizedPipeline(deployment.definition_with(lambda fid: by_id[fid].arn))
    aws.by_logical_id[machine] = pipeline.arn
    hosts: dict[str, LambdaHost] = {}
    stand_ins = StandIns(lambda_invoke(deployment, hosts)).start()
    try:
        sdk = runtime_sdk(rehearsal_python.version)
        logs = tmp_path_factory.mktemp("function-logs")
        unresolved: dict[str, list[str]] = {}
        for name, function in deployment.functions.items():
            environment, unresolved[name] = aws.environment_of(
                function,
                {
                    WEBSOCKET_ENDPOINT: stand_ins.websocket_endpoint,
                    OPENSEARCH_ENDPOINT: stand_ins.endpoint,
                    PINECONE_INDEX_HOST: stand_ins.endpoint,
                },
            )
            layers = [layer_site] if layer_site else list(function.layers)
            hosts[name] = LambdaHost(
                python=rehearsal_python.executable,
                path=[function.code, *layers, sdk],
                environment={
                    **base_environment(function),
                    "AWS_ACCESS_KEY_ID": "rehearsal",
                    "AWS_SECRET_ACCESS_KEY": "rehearsal",
                    "AWS_ENDPOINT_URL": aws.endpoint,
                    # What moto does not answer (tests/rehearsal/stand_ins.py)
                    "AWS_ENDPOINT_URL_LAMBDA": stand_ins.endpoint,
                    "AWS_ENDPOINT_URL_CODEDEPLOY": stand_ins.endpoint,
                    # Cognito's JWKS, read over HTTPS without the SDK: from moto
                    URL_ROUTES: json.dumps({COGNITO: aws.endpoint}),
                    **environment,
                },
                log=logs / f"{name}.log",
            )
        pipeline.bind({f.function_name: hosts[f.name] for f in deployment.functions.values()})
        fleet = LambdaFleet(hosts, unresolved, pipeline, stand_ins)
        yield fleet
    finally:  # a fixture that failed half-way leaves no engine or server thread behind
        for host in hosts.values():
            host.stop()
        stand_ins.stop()
        pipeline.close()
