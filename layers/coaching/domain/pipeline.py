"""The session pipeline's steps as facts: their names, function folders and what compensation
undoes, listed once.

Everything that names a step reads it here: CDK builds one function per step from its folder
and fills the ASL file's `${<name>FunctionArn}` substitutions; the local runtime binds each
folder's handler to the step's name; compensation forgets the steps it undoes. Which use case
runs a step, on which input model, is the use cases' own mapping over this list
(usecases/pipeline_steps.py). The ASL file's Task states must match it
(tests/unit/test_pipeline_steps.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepFacts:
    # The ASL Task state, its `${<name>FunctionArn}` substitution, and the step ledger's key.
    name: str
    # functions/<folder>/handler.py runs it; CDK's function of the same name.
    folder: str
    # Compensation removes its results (and its ledger entry), so a redrive runs it again.
    undone_by_compensation: bool
    description: str

    @property
    def arn_substitution(self) -> str:
        return f"{self.name}FunctionArn"


# In the order the ASL file runs them; compensation last. Only validation's result (the
# stored turns) survives compensation, like the transcript it comes from: a failed session
# must leave no client records, summaries or index entries behind.
PIPELINE: tuple[StepFacts, ...] = (
    StepFacts(
        name="ValidateAndStore",
        folder="validate_and_store",
        undone_by_compensation=False,
        description="Saga: read, detect format, store transcript",
    ),
    StepFacts(
        name="ParseTranscript",
        folder="parse_transcript",
        undone_by_compensation=True,
        description="Saga: participants, turns, speaker mapping",
    ),
    StepFacts(
        name="AnalyzeClient",
        folder="analyze_client",
        undone_by_compensation=True,
        description="Saga: metrics and summary draft for one client",
    ),
    StepFacts(
        name="IndexSession",
        folder="index_session",
        undone_by_compensation=True,
        description="Saga: embeddings and keyword index",
    ),
    StepFacts(
        name="NotifyCoach",
        folder="notify_coach",
        undone_by_compensation=True,
        description="Saga: review email and WebSocket push",
    ),
    StepFacts(
        name="Compensate",
        folder="compensate",
        undone_by_compensation=False,
        description="Saga: undo earlier writes, mark session failed, notify",
    ),
)


def step_names() -> list[str]:
    return [step.name for step in PIPELINE]


def undone_steps() -> list[str]:
    """The steps whose results compensation removes, by name."""
    return [step.name for step in PIPELINE if step.undone_by_compensation]


def fill_function_arns(definition: str, arn_of_step: dict[str, str]) -> str:
    """The ASL file's text with each step's `${<name>FunctionArn}` replaced by
    ``arn_of_step[<name>]`` (what CDK's DefinitionSubstitutions do in AWS)."""
    for step in PIPELINE:
        definition = definition.replace("${" + step.arn_substitution + "}", arn_of_step[step.name])
    return definition
