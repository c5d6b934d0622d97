"""Lambda: CodeDeploy's pre-traffic hook for the API function (cdk/release.py).

Before the `live` alias moves, invoke the new version (its exact ARN, from
COACH_HEALTH_CHECK_TARGET) with the request API Gateway would send for `GET /health`, and
tell CodeDeploy "Succeeded" only on a 200 with `{"status": "ok"}`. Anything else, including
an exception or a version that fails to import, is "Failed": CodeDeploy stops the release
and the alias stays where it was. CodeDeploy is always told, or it would wait an hour.
"""

from __future__ import annotations

import os
from typing import Any

from coaching.adapters.aws.release_hooks import CodeDeployHookReporter, LambdaHealthProbe
from coaching.observability import logger

TARGET_VARIABLE = "COACH_HEALTH_CHECK_TARGET"


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(
    event: dict,
    context: Any,
    probe: LambdaHealthProbe | None = None,
    reporter: CodeDeployHookReporter | None = None,
) -> dict:
    probe = probe or LambdaHealthProbe()
    reporter = reporter or CodeDeployHookReporter()
    target = os.environ.get(TARGET_VARIABLE, "")
    status = "Failed"
    try:
        status = "Succeeded" if probe.healthy(target) else "Failed"
    except Exception:
        logger.exception("health check could not call the new version", extra={"target": target})
    finally:
        reporter.report(event["DeploymentId"], event["LifecycleEventHookExecutionId"], status)
    logger.info("release health check", extra={"target": target, "status": status})
    return {"status": status}
