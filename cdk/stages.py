"""Stages: dev, staging and prod are one stack each (`CoachingPlatform-<stage>`), chosen by
context (`-c coaching:stage=prod`), with the defaults each stage needs.

A context key given explicitly (cdk.json or `-c`) wins over the stage's default, so a dev
stack can still require MFA; the defaults only say what each stage is for.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_logs as logs

STACK_PREFIX = "CoachingPlatform"
# dev, unless told: a stack someone deploys by hand to try something.
STAGE = ("coaching:stage", "dev")


class UnknownStage(ValueError):
    """`coaching:stage` names no stage this project knows."""


@dataclass(frozen=True)
class StageDefaults:
    name: str
    # Data stores (Aurora, user pool): CloudFormation may not delete them while this is on.
    deletion_protection: bool
    # What `cdk destroy` does with stateful resources the other helpers build per stage
    # (the database's cluster: SNAPSHOT keeps a final snapshot).
    removal_policy: RemovalPolicy
    mfa_required: bool
    log_retention: logs.RetentionDays
    # How CodeDeploy moves the `live` alias to a new version (cdk/release.py).
    deployment_config: codedeploy.ILambdaDeploymentConfig

    @property
    def stack_name(self) -> str:
        return f"{STACK_PREFIX}-{self.name}"


STAGES: dict[str, StageDefaults] = {
    # One person's playground: fast deploys, easy to tear down; the canary still runs its
    # alarms and health check, only all at once.
    "dev": StageDefaults(
        name="dev",
        deletion_protection=False,
        removal_policy=RemovalPolicy.SNAPSHOT,
        mfa_required=False,
        log_retention=logs.RetentionDays.ONE_MONTH,
        deployment_config=codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
    ),
    # Production's rehearsal: the same release path as prod, data it may lose.
    "staging": StageDefaults(
        name="staging",
        deletion_protection=False,
        removal_policy=RemovalPolicy.SNAPSHOT,
        mfa_required=False,
        log_retention=logs.RetentionDays.ONE_MONTH,
        deployment_config=codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
    ),
    # Real coaches and their clients' data: nothing is deleted by a stack operation, MFA for
    # everyone, logs kept a year for incident review.
    "prod": StageDefaults(
        name="prod",
        deletion_protection=True,
        removal_policy=RemovalPolicy.RETAIN,
        mfa_required=True,
        log_retention=logs.RetentionDays.ONE_YEAR,
        deployment_config=codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
    ),
}


def stage_defaults(name: object) -> StageDefaults:
    key = str(name).strip().lower()
    if key not in STAGES:
        raise UnknownStage(
            f"{STAGE[0]}={name!r} is not a stage: use one of {', '.join(STAGES)} "
            f"(e.g. cdk deploy -c {STAGE[0]}=staging)."
        )
    return STAGES[key]
