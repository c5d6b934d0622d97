"""Which use case runs each step of the session pipeline, on which input model.

The steps themselves (names, function folders, what compensation undoes) are domain facts,
listed once in `coaching.domain.pipeline`; this module adds to each the use case a handler
runs and the model its event is parsed into. Use cases are named rather than imported, so
CDK (and compensation) read the list without loading the parsers and the analysis models;
`PipelineStep.use_case()` imports one when a handler is built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from coaching.domain.pipeline import PIPELINE, StepFacts
from coaching.domain.pipeline import undone_steps as undone_steps
from coaching.usecases.pipeline_input import ClientStepInput, CompensationInput, PipelineInput


@dataclass(frozen=True)
class PipelineStep(StepFacts):
    input_model: type[BaseModel]
    # "<module under coaching.usecases>:<function>", taking (Dependencies, input_model).
    use_case_path: str
    # Its storage calls share one transaction (Dependencies.transactions) rather than one
    # each: for steps whose only outside calls (the analyzer) run in `outside()`. Not for
    # steps that read the object store, or whose email and push must follow their commit.
    one_transaction: bool = False

    def use_case(self) -> Callable[..., dict[str, Any]]:
        module, _, function = self.use_case_path.partition(":")
        use_case: Callable[..., dict[str, Any]] = getattr(
            importlib.import_module(f"coaching.usecases.{module}"), function
        )
        return use_case


# Step name -> (input model, use case, one transaction). Keyed by the domain's list: a step
# missing here fails at import, and tests/unit/test_pipeline_steps.py checks nothing is left
# over.
USE_CASES: dict[str, tuple[type[BaseModel], str, bool]] = {
    "ValidateAndStore": (PipelineInput, "validate_and_store:validate_and_store", False),
    "ParseTranscript": (PipelineInput, "parse_participants:parse_participants", True),
    "AnalyzeClient": (ClientStepInput, "analyze_client:analyze_client", True),
    "IndexSession": (PipelineInput, "index_session:index_session", True),
    "NotifyCoach": (PipelineInput, "notify_coach:notify_coach", False),
    "Compensate": (CompensationInput, "compensate:compensate", False),
}


def _with_use_case(facts: StepFacts) -> PipelineStep:
    input_model, use_case_path, one_transaction = USE_CASES[facts.name]
    return PipelineStep(
        name=facts.name,
        folder=facts.folder,
        undone_by_compensation=facts.undone_by_compensation,
        description=facts.description,
        input_model=input_model,
        use_case_path=use_case_path,
        one_transaction=one_transaction,
    )


# In the order the ASL file runs them; compensation last.
PIPELINE_STEPS: tuple[PipelineStep, ...] = tuple(_with_use_case(facts) for facts in PIPELINE)


def pipeline_step_named(name: str) -> PipelineStep:
    for step in PIPELINE_STEPS:
        if step.name == name:
            return step
    raise KeyError(f"{name!r} is not a step of the session pipeline.")
