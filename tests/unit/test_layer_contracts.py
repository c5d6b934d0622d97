"""The layer rules in pyproject.toml ([tool.importlinter]) hold for the code, and each one
fails when the import it forbids appears (added to the code's real import graph here, so no
file is written and nothing is imported)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter import configuration
from importlinter.adapters.building import GraphBuilder
from importlinter.application import use_cases
from importlinter.application.app_config import settings

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


class _GraphWith(GraphBuilder):
    """The code's import graph (grimp reads the source; it imports nothing), plus imports."""

    def __init__(self, *added: tuple[str, str]) -> None:
        self._added = added

    def build(self, *args, **kwargs):
        graph = super().build(*args, **kwargs)
        for importer, imported in self._added:
            graph.add_import(importer=importer, imported=imported)
        return graph


def contracts_kept(*added: tuple[str, str], only: str | None = None) -> bool:
    """Whether the contracts (or the one with id `only`) hold once `added` (importer,
    imported) pairs are in the code."""
    configuration.configure()
    settings.configure(GRAPH_BUILDER=_GraphWith(*added))
    try:
        return use_cases.lint_imports(
            str(PYPROJECT),
            limit_to_contracts=(only,) if only else (),
            cache_dir=None,
            is_debug_mode=True,  # a configuration error raises instead of counting as broken
            no_logo=True,
        )
    finally:
        configuration.configure()


def test_the_code_keeps_every_layer_contract():
    assert contracts_kept()


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        ("coaching.domain.session", "coaching.config", "domain"),
        ("coaching.analysis.talk", "coaching.ports.workflow", "domain"),
        ("coaching.ports.workflow", "coaching.adapters.postgres.database", "ports"),
        ("coaching.ports.workflow", "coaching.observability", "ports"),
        ("coaching.usecases.compensate", "coaching.composition", "usecases"),
        ("coaching.usecases.compensate", "coaching.adapters.local.objects", "usecases"),
        ("coaching.adapters.local.objects", "coaching.api.app", "adapters"),
        ("coaching.adapters.local.objects", "coaching.usecases.compensate", "adapters"),
        ("coaching.adapters.local.objects", "local_runtime.platform", "adapters"),
        ("coaching.usecases.compensate", "coaching.adapters.local.objects", "layers"),
        ("coaching.ports.workflow", "coaching.analysis.talk", "layers"),
        ("coaching.composition", "coaching.handlers", "layers"),
        ("coaching.api.app", "coaching.handlers", "layers"),
        ("coaching.api.app", "local_runtime.platform", "entry-points"),
        ("functions.api.handler", "local_runtime.server", "entry-points"),
        ("functions.ingest.handler", "boto3", "functions-no-aws-sdk"),
        ("functions.ingest.handler", "botocore", "functions-no-aws-sdk"),
        ("coaching.adapters.local.stepfunctions.engine", "functions.ingest.handler", "adapters"),
        ("coaching.adapters.local.workflow", "coaching.usecases.pipeline_steps", "adapters"),
        ("local_runtime.platform", "moto", "moto-in-the-local-engine-only"),
        ("coaching.adapters.local.workflow", "moto", "moto-in-the-local-engine-only"),
        ("functions.ingest.handler", "moto", "moto-in-the-local-engine-only"),
        ("coaching.domain.errors", "coaching.domain.session", "no-cycles"),
        ("coaching.adapters.postgres.database", "coaching.composition", "no-cycles"),
    ],
)
def test_each_contract_fails_on_the_import_it_forbids(importer, imported, contract):
    # Given the code with one more import / When the contracts are checked / Then it is caught
    assert not contracts_kept((importer, imported), only=contract)
