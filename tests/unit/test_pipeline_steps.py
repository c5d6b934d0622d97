"""The one list of pipeline steps agrees with the ASL file, the handlers and compensation."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest

# Imported while sockets are still on: Powertools' tracer opens its UDP emitter on import.
import coaching.observability  # noqa: F401
from coaching.usecases import compensate
from coaching.usecases.pipeline_steps import PIPELINE_STEPS, pipeline_step_named, undone_steps

REPO_ROOT = Path(__file__).resolve().parents[2]
ASL_FILE = REPO_ROOT / "statemachines" / "session_pipeline.asl.json"
SUBSTITUTION = re.compile(r"^\$\{(\w+)\}$")


def task_states(states: dict[str, Any]) -> dict[str, str]:
    """Every Task state, nested Map processors included: state name -> its Resource."""
    tasks: dict[str, str] = {}
    for name, state in states.items():
        if state["Type"] == "Task":
            tasks[name] = state["Resource"]
        for nested in (state.get("ItemProcessor"), state.get("Iterator")):
            if nested:
                tasks.update(task_states(nested["States"]))
        for branch in state.get("Branches", []):
            tasks.update(task_states(branch["States"]))
    return tasks


def run_order(definition: dict[str, Any]) -> list[str]:
    """The Task states on the success path, then the one compensation reaches."""
    order, name = [], definition["StartAt"]
    states = definition["States"]
    while name:
        state = states[name]
        if state["Type"] == "Map":
            processor = state["ItemProcessor"]
            order += list(task_states(processor["States"]))
        elif state["Type"] == "Task":
            order.append(name)
        name = state.get("Next")
    return order + [n for n, s in states.items() if s["Type"] == "Task" and n not in order]


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(ASL_FILE.read_text(encoding="utf-8"))


def test_every_task_of_the_asl_file_is_one_listed_step_and_back(definition):
    # Given the ASL file's Task states and the resource substitution each calls
    tasks = task_states(definition["States"])
    substitutions = {name: SUBSTITUTION.match(resource) for name, resource in tasks.items()}
    assert all(substitutions.values()), tasks
    # Then each Task calls the function of the step of its own name, and every step is a Task
    by_task = {name: match.group(1) for name, match in substitutions.items()}
    assert by_task == {step.name: step.arn_substitution for step in PIPELINE_STEPS}


def test_the_list_is_in_the_order_the_asl_file_runs_the_steps(definition):
    assert run_order(definition) == [step.name for step in PIPELINE_STEPS]


def test_every_step_that_can_fail_on_the_main_path_is_caught_into_compensation(definition):
    # Given the top-level Task and Map states (a Map's failure is caught at the Map)
    states = definition["States"]
    caught = {
        name: state["Catch"][0]["Next"]
        for name, state in states.items()
        if state["Type"] in {"Task", "Map"} and name != "Compensate"
    }
    # Then each routes to its FailedAt<name> Pass state, which names it and leads to Compensate
    for name, target in caught.items():
        assert target == f"FailedAt{name}"
        assert states[target]["Result"] == name and states[target]["Next"] == "Compensate"


def test_each_step_folder_holds_the_handler_of_that_step():
    for step in PIPELINE_STEPS:
        handler = importlib.import_module(f"functions.{step.folder}.handler").lambda_handler
        assert handler.__name__ == f"{step.name}_handler", step.folder


def test_each_step_names_a_use_case_taking_its_input_model():
    for step in PIPELINE_STEPS:
        use_case = step.use_case()
        parameters = list(inspect.signature(use_case).parameters.values())
        assert len(parameters) == 2, step.name
        hint = parameters[1].annotation
        assert hint in {step.input_model, step.input_model.__name__}, step.name


def test_compensation_undoes_the_steps_the_list_marks_and_keeps_validation():
    assert compensate.UNDONE_STEPS == undone_steps()
    assert undone_steps() == ["ParseTranscript", "AnalyzeClient", "IndexSession", "NotifyCoach"]


def test_an_unknown_step_name_is_refused():
    with pytest.raises(KeyError, match="not a step"):
        pipeline_step_named("Nope")


def test_every_step_of_the_domain_list_has_one_use_case_and_no_other_is_mapped():
    from coaching.domain.pipeline import PIPELINE
    from coaching.usecases.pipeline_steps import USE_CASES

    assert list(USE_CASES) == [step.name for step in PIPELINE]
    assert [(s.name, s.folder) for s in PIPELINE_STEPS] == [(s.name, s.folder) for s in PIPELINE]
