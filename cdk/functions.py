"""One factory for every Lambda function, so no construct repeats a function block."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.layer import ARCHITECTURE, RUNTIME
from cdk.naming import pascal

HANDLER_FILE = "handler.py"
HANDLER = "handler.lambda_handler"
METRICS_NAMESPACE = "CoachingPlatform"


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
    construct that owns the resource), its own log group, X-Ray tracing and Powertools settings.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions_root: Path,
        layers: Sequence[lambda_.ILayerVersion],
        log_level: str = "INFO",
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        super().__init__(scope, construct_id)
        self._root = Path(functions_root)
        self._layers = list(layers)
        self._log_level = log_level
        self._log_retention = log_retention
        self._functions: dict[str, lambda_.Function] = {}

    def __getitem__(self, name: str) -> lambda_.Function:
        return self._functions[name]

    @property
    def all(self) -> Mapping[str, lambda_.Function]:
        return dict(self._functions)

    def add(
        self,
        name: str,
        *,
        description: str,
        memory_size: int = 512,
        timeout: Duration | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> lambda_.Function:
        require_functions(self._root, [name])
        construct_id = pascal(name)
        role = iam.Role(
            self,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {name} function",
        )
        log_group = logs.LogGroup(self, f"{construct_id}Logs", retention=self._log_retention)
        # Only this function's log group, instead of the managed basic-execution policy.
        log_group.grant_write(role)
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
            layers=self._layers,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
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
        NagSuppressions.add_resource_suppressions(
            function,
            [
                {
                    "id": "AwsSolutions-L1",
                    "reason": "Python 3.13 is pinned on purpose: the dependencies layer's "
                    "wheels are locked and built for it (layers/requirements.lock), and AWS "
                    "supports it until June 2029; upgrading is a deliberate change.",
                },
            ],
        )
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level "
                    "permissions, so active tracing needs Resource '*'.",
                    "appliesTo": ["Resource::*"],
                },
            ],
            apply_to_children=True,
        )
        self._functions[name] = function
        return function
