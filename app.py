#!/usr/bin/env python3
"""CDK entry point: `python app.py` synthesizes into cdk.out/ offline (no account, git or Docker).

`-c coaching:stage=dev|staging|prod` picks the stage (cdk/stages.py): the stack is named
`CoachingPlatform-<stage>`. cdk-nag runs the AwsSolutions and HIPAA Security packs; an
unsuppressed finding fails the synth itself (`annotationsInValidationReport` in
cdk.json): the report is printed and copied to cdk.out/validation-report.json.
"""

from __future__ import annotations

import os
from pathlib import Path

from aws_cdk import App, Aspects, Environment
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks

from cdk.context import cdk_json_context
from cdk.stack import CoachingPlatformStack
from cdk.stages import STAGE, stage_defaults

# The CDK CLI passes cdk.json's context and the output folder itself; running this file
# directly must see the same flags and write to the same place.
app = App(
    context=cdk_json_context(),
    outdir=os.environ.get("CDK_OUTDIR", str(Path(__file__).resolve().parent / "cdk.out")),
)
stage = stage_defaults(app.node.try_get_context(STAGE[0]) or STAGE[1])
CoachingPlatformStack(
    app,
    stage.stack_name,
    description="Coaching supervision platform: transcript drop, session pipeline saga",
    # Unset offline: the stack stays environment-agnostic and synthesizes without an account.
    env=Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    ),
)
Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
Aspects.of(app).add(HIPAASecurityChecks(verbose=True))
assembly = app.synth()
print(f"synthesized {[s.stack_name for s in assembly.stacks]} into {assembly.directory}")
