"""Every error type lives in `coaching.domain.errors`, and the registry of our own error
names (whose messages compensation shows to people) is fixed there, not by what happens to
be imported."""

from __future__ import annotations

import ast
from pathlib import Path

from coaching.domain import errors
from coaching.usecases.compensate import failure_reason
from tests.lambda_events import compensation_input

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_TREES = ("layers/coaching", "functions", "local_runtime")


def _error_classes_outside_the_domain() -> list[str]:
    """`path: Class` for each class, outside domain/errors.py, that derives (by name, however
    indirectly) from one of our error types."""
    ours = set(errors.error_type_names())
    classes = []
    for tree in SOURCE_TREES:
        for path in sorted((REPO_ROOT / tree).rglob("*.py")):
            if path == Path(errors.__file__).resolve():
                continue
            module = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(module):
                if isinstance(node, ast.ClassDef):
                    classes.append((path.relative_to(REPO_ROOT), node))
    found, grew = [], True
    while grew:  # a subclass of a subclass found outside counts too
        grew = False
        for path, node in classes:
            bases = {
                base.id if isinstance(base, ast.Name) else ast.unparse(base) for base in node.bases
            }
            label = f"{path}: {node.name}"
            if label not in found and {b.rsplit(".", 1)[-1] for b in bases} & ours:
                found.append(label)
                ours.add(node.name)
                grew = True
    return found


def test_every_error_type_is_defined_in_the_domain():
    # Given the source of every layer / When we look for our error types defined elsewhere
    # Then there are none: adapters, use cases and the runtimes import them from the domain
    assert _error_classes_outside_the_domain() == []


def test_the_registry_does_not_grow_with_what_is_imported():
    # Given an error type defined outside the domain (as a module imported later would)
    class DefinedElsewhere(errors.PermanentError):
        pass

    # When the registry is read / Then it names only the domain's own error types
    assert DefinedElsewhere.__name__ not in errors.error_type_names()
    assert "AIServiceBusy" in errors.error_type_names()


def test_an_ai_service_error_reaches_the_coach_as_written_without_the_adapter():
    # Given a step failed with the OpenAI adapter's error (compensation never imports it)
    step = compensation_input(
        "AIServiceBusy", "The AI service is limiting requests (429).", "AnalyzeClient"
    )
    # When compensation explains the failure / Then it uses the error's own sentence
    assert failure_reason(step) == "The AI service is limiting requests (429)."
