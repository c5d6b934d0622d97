"""The Workflow port's engine locally: moto's Step Functions interpreter running the real
ASL file, each Lambda task answered by a handler in this process.

``StepFunctionsEngine(definition, {function name: handler})`` is the whole public surface;
``interpreter`` imports moto's parser cheaply and ``interpreter_cache`` keeps what it parses.
moto is imported here and nowhere else in the package (an import-linter contract).
"""

from coaching.adapters.local.stepfunctions.engine import (
    ACCOUNT_ID,
    REGION,
    Handler,
    StepFunctionsEngine,
    function_arn,
)

__all__ = ["ACCOUNT_ID", "REGION", "Handler", "StepFunctionsEngine", "function_arn"]
