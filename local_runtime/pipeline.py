"""The session pipeline's engine in this process: the ASL file, with each step's Lambda
handler (the very function AWS runs) handed the local runtime's ports."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from coaching.adapters.local.stepfunctions import Handler, StepFunctionsEngine, function_arn
from coaching.domain.pipeline import PIPELINE, fill_function_arns
from coaching.usecases.dependencies import Dependencies

ASL_PATH = Path(__file__).resolve().parents[1] / "statemachines" / "session_pipeline.asl.json"
STATE_MACHINE_NAME = "session-pipeline"


def pipeline_definition(path: Path = ASL_PATH) -> str:
    """The ASL file with each step's function ARN filled in, named by the step's name."""
    text = path.read_text(encoding="utf-8")
    return fill_function_arns(text, {step.name: function_arn(step.name) for step in PIPELINE})


def step_handler(name: str, deps: Dependencies | None = None) -> Handler:
    """The Lambda handler of the step called ``name``, given ``deps`` (without: its own)."""
    folder = next(step.folder for step in PIPELINE if step.name == name)
    handler: Callable[..., Any] = importlib.import_module(
        f"functions.{folder}.handler"
    ).lambda_handler
    return handler if deps is None else partial(handler, deps=deps)


def pipeline_handlers(deps: Dependencies | None = None) -> dict[str, Handler]:
    """Step name (the function name in its ARN) -> its handler."""
    return {step.name: step_handler(step.name, deps) for step in PIPELINE}


def pipeline_engine(
    deps: Dependencies | None = None, retry_sleep: Callable[[float], None] = time.sleep
) -> StepFunctionsEngine:
    """The engine of the session pipeline: one per process (the composition root's)."""
    return StepFunctionsEngine(
        pipeline_definition(),
        pipeline_handlers(deps),
        name=STATE_MACHINE_NAME,
        retry_sleep=retry_sleep,
    )
