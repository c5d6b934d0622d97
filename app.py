#!/usr/bin/env python3
"""CDK entry point: `python app.py` synthesizes into cdk.out/ offline (no account, git or Docker).

An unsuppressed cdk-nag error fails the synth itself (`annotationsInValidationReport` in
cdk.json): the report is printed and copied to cdk.out/validation-report.json.
"""

from __future__ import annotations

import os
from pathlib import Path

from aws_cdk import App, Aspects, Environment
from cdk_nag import AwsSolutionsChecks

from cdk.context import cdk_json_context
from cdk.stack import CoachingPlatformStack

# The CDK CLI passes cdk.json's context and the output folder itself; running this file
# directly must see the same flags and write to the same place.
app = App(
    context=cdk_json_context(),
    outdir=os.environ.get("CDK_OUTDIR", str(Path(__file__).resolve().parent / "cdk.out")),
)
CoachingPlatformStack(
    app,
    "CoachingPlatform",
    description="Coaching supervision platform: transcript drop, session pipeline saga",
    # Unset offline: the stack stays environment-agnostic and synthesizes without an account.
    env=Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    ),
)
Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
assembly = app.synth()
print(f"synthesized {[s.stack_name for s in assembly.stacks]} into {assembly.directory}")
