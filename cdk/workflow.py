"""The session pipeline saga: the ASL file under statemachines/, bound to our functions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.log_encryption import logs_key as logs_key_for

PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
# Read by coaching.config.Settings (COACH_ prefix).
STATE_MACHINE_VARIABLE = "COACH_STATE_MACHINE_ARN"


def placeholders(definition_file: Path) -> set[str]:
    return set(PLACEHOLDER.findall(definition_file.read_text(encoding="utf-8")))


class SessionPipeline(Construct):
    """Standard workflow (so failed runs can be redriven) with its own least-privilege role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        definition_file: Path,
        step_functions: Mapping[str, lambda_.IFunction],
        logs_key: kms.IKey | None = None,
    ) -> None:
        """`step_functions`: each pipeline step's function, by the ASL substitution it fills
        (coaching.usecases.pipeline_steps.PipelineStep.arn_substitution)."""
        super().__init__(scope, construct_id)
        substitutions = {key: fn.function_arn for key, fn in step_functions.items()}
        # A renamed state or a forgotten function would otherwise only fail at deploy time.
        expected = placeholders(definition_file)
        if expected != set(substitutions):
            raise ValueError(
                f"{definition_file.name}: placeholders {sorted(expected)} do not match the "
                f"functions given {sorted(substitutions)}"
            )

        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="Runs the session pipeline: invokes its step functions only",
        )
        for function in step_functions.values():
            function.grant_invoke(self.role)

        # The vendedlogs prefix keeps CloudWatch Logs' resource policy from growing per log group.
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{Stack.of(self).stack_name}-session-pipeline",
            retention=logs.RetentionDays.ONE_MONTH,
            encryption_key=logs_key or logs_key_for(self, "LogsKey", "Encrypts the saga's logs"),
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment="Session pipeline saga: transcript -> analysis -> notify, with compensation",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(definition_file)),
            definition_substitutions=substitutions,
            role=self.role,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.log_group,
                level=sfn.LogLevel.ALL,
                # Inputs and outputs carry transcripts and summaries: personal data stays out.
                include_execution_data=False,
            ),
        )
        NagSuppressions.add_resource_suppressions(
            self.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "grant_invoke adds '<function arn>:*' so the saga may call any "
                    "version or alias of its own step functions, and nothing else.",
                    "appliesTo": [{"regex": "/^Resource::<.+\\.Arn>:\\*$/g"}],
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "CloudWatch Logs delivery (logs:*LogDelivery*, DescribeLogGroups, "
                    "resource policies) and X-Ray tracing support no resource-level permissions.",
                    "appliesTo": ["Resource::*"],
                },
            ],
            apply_to_children=True,
        )
        NagSuppressions.add_resource_suppressions(
            self.role.node.find_child("DefaultPolicy"),
            [
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK's grants write the saga role's own policy from its exact step "
                    "functions and log group; no other principal should share it.",
                }
            ],
        )

    def serve_api(self, api: lambda_.Function) -> None:
        """The REST API starts runs (uploads sent in the request; replays and linked
        redrives) and supports them (/v1/executions: list, show, redrive): this state
        machine and its own executions only (coaching.adapters.aws.stepfunctions_support)."""
        api.add_environment(STATE_MACHINE_VARIABLE, self.state_machine.state_machine_arn)
        self.state_machine.grant_start_execution(api)
        self.state_machine.grant(api, "states:ListExecutions")
        self.state_machine.grant_execution(
            api, "states:DescribeExecution", "states:GetExecutionHistory"
        )
        self.state_machine.grant_redrive_execution(api)
        NagSuppressions.add_resource_suppressions(
            api.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Execution support reads and redrives runs of the session "
                    "pipeline by name ('execution:<state machine name>:*': DescribeExecution, "
                    "GetExecutionHistory, RedriveExecution); the run names are only known at "
                    "run time, and no other state machine's executions match.",
                    "appliesTo": [
                        {
                            "regex": "/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:"
                            '<AWS::AccountId>:execution:.*"Ref":"[A-Za-z0-9]*StateMachine'
                            '[0-9A-F]+".*:\\*$/g'
                        }
                    ],
                }
            ],
            apply_to_children=True,
        )
