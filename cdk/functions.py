"""One factory for every Lambda function, so no construct repeats a function block."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict, Unpack

from aws_cdk import Duration
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.layer import ARCHITECTURE, RUNTIME
from cdk.log_encryption import logs_key
from cdk.naming import pascal
from cdk.release import CanaryRelease, LiveFunction

# Lambda's own policy for the network interfaces of a function in a VPC.
VPC_ACCESS_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"
HANDLER_FILE = "handler.py"
HANDLER = "handler.lambda_handler"
METRICS_NAMESPACE = "CoachingPlatform"


class FunctionOptions(TypedDict):
    """`add_unreleased`'s options, which `add` passes on unchanged."""

    description: str
    memory_size: NotRequired[int]
    timeout: NotRequired[Duration | None]
    environment: NotRequired[Mapping[str, str] | None]
    # Instead of the shared layers (the exports layer's functions).
    layers: NotRequired[Sequence[lambda_.ILayerVersion] | None]


@dataclass(frozen=True)
class FunctionNetwork:
    """Where the functions run in the VPC: subnets and the security groups they all share."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_groups: Sequence[ec2.ISecurityGroup]


@dataclass(frozen=True)
class FunctionDefaults:
    """What every function of a stage shares: log level and retention, how releases shift."""

    log_level: str = "INFO"
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    deployment_config: codedeploy.ILambdaDeploymentConfig = (
        codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES
    )


class MissingFunctionCode(FileNotFoundError):
    """A function folder (or its handler.py) that the stack needs is not there."""


def missing_functions(functions_root: Path, names: Iterable[str]) -> list[str]:
    return [name for name in names if not (functions_root / name / HANDLER_FILE).is_file()]


def require_functions(functions_root: Path, names: Iterable[str]) -> None:
    """Fail before synth with every missing folder named, rather than one at a time."""
    missing = missing_functions(functions_root, names)
    if missing:
        wanted = ", ".join(f"{functions_root / name / HANDLER_FILE}" for name in missing)
        raise MissingFunctionCode(
            f"Lambda code missing for {missing}: each function needs a folder with a "
            f"{HANDLER_FILE} defining lambda_handler. Not found: {wanted}"
        )


class LambdaFunctions(Construct):
    """Builds Python functions from `functions/<name>/` with the shared layers and defaults.

    Every function gets its own role (least privilege: grants are added per function by the
    construct that owns the resource), its own log group (KMS-encrypted), X-Ray tracing and
    Powertools settings, and is released through its `live` alias (cdk/release.py): `add`
    returns that alias, so every invoker calls what CodeDeploy shifts.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions_root: Path,
        layers: Sequence[lambda_.ILayerVersion],
        defaults: FunctionDefaults | None = None,
        network: FunctionNetwork | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._root = Path(functions_root)
        self._layers = list(layers)
        defaults = defaults or FunctionDefaults()
        self._log_level = defaults.log_level
        self._log_retention = defaults.log_retention
        self._deployment_config = defaults.deployment_config
        self._functions: dict[str, lambda_.Function] = {}
        self._releases: dict[str, CanaryRelease] = {}
        self.logs_key = logs_key(self, "LogsKey", "Encrypts the functions' and saga's logs")
        self.application = codedeploy.LambdaApplication(self, "Releases")
        self._tracing = self._tracing_policy()
        self._network = network

    def __getitem__(self, name: str) -> lambda_.Function:
        return self._functions[name]

    @property
    def all(self) -> Mapping[str, lambda_.Function]:
        return dict(self._functions)

    def release(self, name: str) -> CanaryRelease:
        """`name`'s alias, deployment group and rollback alarms."""
        return self._releases[name]

    def add(
        self,
        name: str,
        *,
        provisioned_concurrency: int = 0,
        **function: Unpack[FunctionOptions],
    ) -> LiveFunction:
        """The function's `live` alias: pass it wherever the function is invoked. The
        function itself is `add_unreleased`'s, with the same options."""
        built = self.add_unreleased(name, **function)
        release = CanaryRelease(
            self,
            f"{pascal(name)}Release",
            function=built,
            application=self.application,
            deployment_config=self._deployment_config,
            provisioned_concurrency=provisioned_concurrency,
        )
        self._releases[name] = release
        return release.live

    def add_unreleased(
        self,
        name: str,
        *,
        description: str,
        memory_size: int = 512,
        timeout: Duration | None = None,
        environment: Mapping[str, str] | None = None,
        layers: Sequence[lambda_.ILayerVersion] | None = None,
    ) -> lambda_.Function:
        """A function called by its own name, not through `live`: CodeDeploy's hooks (a hook
        shifted by the deployment it checks would check itself)."""
        require_functions(self._root, [name])
        construct_id = pascal(name)
        role = iam.Role(
            self,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {name} function",
        )
        role.add_managed_policy(self._tracing)
        log_group = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            retention=self._log_retention,
            encryption_key=self.logs_key,
        )
        # Only this function's log group, instead of the managed basic-execution policy.
        log_group.grant_write(role)
        if self._network is not None:
            role.add_managed_policy(
                iam.ManagedPolicy.from_aws_managed_policy_name(VPC_ACCESS_POLICY)
            )
            NagSuppressions.add_resource_suppressions(
                role,
                [
                    {
                        "id": "AwsSolutions-IAM4",
                        "reason": "Lambda creates and deletes the function's network interfaces "
                        "in the VPC with this AWS-maintained policy; the EC2 actions it needs "
                        "have no resource-level scoping to write a narrower one with.",
                        "appliesTo": [
                            f"Policy::arn:<AWS::Partition>:iam::aws:policy/{VPC_ACCESS_POLICY}"
                        ],
                    }
                ],
            )
        function = lambda_.Function(
            self,
            construct_id,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=lambda_.Code.from_asset(
                str(self._root / name), exclude=["__pycache__", "*.pyc", "tests"]
            ),
            layers=list(layers) if layers is not None else self._layers,
            role=role,
            log_group=log_group,
            vpc=self._network and self._network.vpc,
            vpc_subnets=self._network and self._network.subnets,
            security_groups=self._network and list(self._network.security_groups),
            memory_size=memory_size,
            timeout=timeout or Duration.seconds(30),
            environment={
                "COACH_RUNTIME": "aws",
                "POWERTOOLS_SERVICE_NAME": name,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "LOG_LEVEL": self._log_level,
                **(environment or {}),
            },
        )
        # Active tracing without CDK's `tracing=` prop: that prop adds X-Ray's Resource '*'
        # to the role's own policy, where it would look like (and hide) any other wildcard.
        # The role gets it from the one tracing policy instead.
        cfn_function = function.node.default_child
        assert isinstance(cfn_function, lambda_.CfnFunction)
        cfn_function.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
        self._explain(function, role)
        self._functions[name] = function
        return function

    def _tracing_policy(self) -> iam.ManagedPolicy:
        policy = iam.ManagedPolicy(
            self,
            "Tracing",
            description="X-Ray active tracing for the platform's functions",
            statements=[
                iam.PolicyStatement(
                    actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    resources=["*"],
                )
            ],
        )
        # This one policy, this one finding: a wildcard anywhere else is still reported.
        NagSuppressions.add_resource_suppressions(
            policy,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level "
                    "permissions, so active tracing needs Resource '*'.",
                    "appliesTo": ["Resource::*"],
                }
            ],
        )
        return policy

    @staticmethod
    def _explain(function: lambda_.Function, role: iam.Role) -> None:
        suppressions = [
            {
                "id": "AwsSolutions-L1",
                "reason": "Python 3.13 is pinned on purpose (cdk/layer.py RUNTIME): the "
                "dependencies layer's wheels are locked and built for it "
                "(layers/requirements.lock), AWS supports it until June 2029, and upgrading "
                "is a deliberate change.",
            },
            {
                "id": "HIPAA.Security-LambdaConcurrency",
                "reason": "Bounded by API Gateway's stage throttling and the account's "
                "concurrency; a reserved amount per function would be taken from the "
                "account's pool for good, and a new account's (10) cannot spare it.",
            },
            {
                "id": "HIPAA.Security-LambdaDLQ",
                "reason": "Invoked synchronously (API Gateway, Step Functions, CodeDeploy), "
                "where the caller sees the failure, or asynchronously with retries plus an "
                "on-failure queue or failure alarm set where it is wired (cdk/storage.py, "
                "cdk/schedules.py).",
            },
        ]
        if not function.is_bound_to_vpc:
            suppressions.append(
                {
                    "id": "HIPAA.Security-LambdaInsideVPC",
                    "reason": "This function reaches only AWS service endpoints (TLS, IAM "
                    "signed); functions that reach the database are placed in the VPC.",
                }
            )
        NagSuppressions.add_resource_suppressions(function, suppressions)
        default_policy = role.node.try_find_child("DefaultPolicy")
        if default_policy is not None:
            NagSuppressions.add_resource_suppressions(
                default_policy,
                [
                    {
                        "id": "HIPAA.Security-IAMNoInlinePolicy",
                        "reason": "CDK's grants write this role's own policy from the exact "
                        "resources it is given; as a managed policy it could be attached to "
                        "other principals, which least privilege here does not want.",
                    }
                ],
            )
