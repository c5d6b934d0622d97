"""The session pipeline's steps, listed once.

Everything else that names a step reads it here: CDK builds one function per step from its
folder and fills the ASL file's `${<name>FunctionArn}` substitutions; the local runtime binds
each folder's handler to the step's name; each handler runs the step's use case on its input
model under the step's name (the step ledger's key); compensation forgets the steps it undoes.
The ASL file's Task states must match this list (tests/unit/test_pipeline_steps.py).

It lives with the use cases because compensation, itself a step, reads it. Use cases are
named rather than imported, so CDK (and compensation) read the list without loading the
parsers and the analysis models; `PipelineStep.use_case()` imports one when a handler is built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from coaching.usecases.pipeline_input import ClientStepInput, CompensationInput, PipelineInput


@dataclass(frozen=True)
class PipelineStep:
    # The ASL Task state, its `${<name>FunctionArn}` substitution, and the step ledger's key.
    name: str
    # functions/<folder>/handler.py runs it; CDK's function of the same name.
    folder: str
    input_model: type[BaseModel]
    # "<module under coaching.usecases>:<function>", taking (Dependencies, input_model).
    use_case_path: str
    # Compensation removes its results (and its ledger entry), so a redrive runs it again.
    undone_by_compensation: bool
    description: str
    # Its storage calls share one transaction (Dependencies.transactions) rather than one
    # each: for steps whose only outside calls (the analyzer) run in `outside()`. Not for
    # steps that read the object store, or whose email and push must follow their commit.
    one_transaction: bool = False

    @property
    def arn_substitution(self) -> str:
        return f"{self.name}FunctionArn"

    def use_case(self) -> Callable[..., dict[str, Any]]:
        module, _, function = self.use_case_path.partition(":")
        use_case: Callable[..., dict[str, Any]] = getattr(
            importlib.import_module(f"coaching.usecases.{module}"), function
        )
        return use_case


# In the order the ASL file runs them; compensation last. Only validation's result (the
# stored turns) survives compensation, like the transcript it comes from: a failed session
# must leave no client records, summaries or index entries behind.
PIPELINE_STEPS: tuple[PipelineStep, ...] = (
    PipelineStep(
        name="ValidateAndStore",
        folder="validate_and_store",
        input_model=PipelineInput,
        use_case_path="validate_and_store:validate_and_store",
        undone_by_compensation=False,
        description="Saga: read, detect format, store transcript",
    ),
    PipelineStep(
        name="ParseTranscript",
        folder="parse_transcript",
        input_model=PipelineInput,
        use_case_path="parse_participants:parse_participants",
        undone_by_compensation=True,
        description="Saga: participants, turns, speaker mapping",
        one_transaction=True,
    ),
    PipelineStep(
        name="AnalyzeClient",
        folder="analyze_client",
        input_model=ClientStepInput,
        use_case_path="analyze_client:analyze_client",
        undone_by_compensation=True,
        description="Saga: metrics and summary draft for one client",
        one_transaction=True,
    ),
    PipelineStep(
        name="IndexSession",
        folder="index_session",
        input_model=PipelineInput,
        use_case_path="index_session:index_session",
        undone_by_compensation=True,
        description="Saga: embeddings and keyword index",
        one_transaction=True,
    ),
    PipelineStep(
        name="NotifyCoach",
        folder="notify_coach",
        input_model=PipelineInput,
        use_case_path="notify_coach:notify_coach",
        undone_by_compensation=True,
        description="Saga: review email and WebSocket push",
    ),
    PipelineStep(
        name="Compensate",
        folder="compensate",
        input_model=CompensationInput,
        use_case_path="compensate:compensate",
        undone_by_compensation=False,
        description="Saga: undo earlier writes, mark session failed, notify",
    ),
)


def pipeline_step_named(name: str) -> PipelineStep:
    for step in PIPELINE_STEPS:
        if step.name == name:
            return step
    raise KeyError(f"{name!r} is not a step of the session pipeline.")


def undone_steps() -> list[str]:
    """The steps whose results compensation removes, by name."""
    return [step.name for step in PIPELINE_STEPS if step.undone_by_compensation]
