"""The deployment rehearsal's parts: what synth deployed, and Lambda environments to run it.

`synthesized_deployment` reads the cloud assembly: each function's code asset, its layers'
assets and its environment, and the state machine's definition asset with its
substitutions. `LambdaHost` runs one function in a fresh interpreter whose path holds only
what Lambda's would (tests/rehearsal/lambda_host.py). bench/coldstart.py uses both.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdk import layer_build

HOST_SCRIPT = Path(__file__).with_name("lambda_host.py")
# What the python3.13 runtime brings of its own: the AWS SDK and what it needs.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass(frozen=True)
class DeployedFunction:
    name: str  # its folder under functions/ (and POWERTOOLS_SERVICE_NAME)
    logical_id: str
    code: Path  # the synthesized asset: what Lambda unzips to /var/task
    layers: tuple[Path, ...]  # each layer asset's python/ folder
    environment: Mapping[str, Any]  # as in the template: strings or intrinsics
    memory_mb: int

    @property
    def function_name(self) -> str:
        return f"rehearsal-{self.logical_id}"

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"


@dataclass(frozen=True)
class Deployment:
    template: dict[str, Any]
    functions: dict[str, DeployedFunction]
    state_machine_definition: str  # the ASL file as synthesized, before substitution
    substitutions: Mapping[str, Any]

    def resources_of_type(self, kind: str) -> list[str]:
        return [k for k, v in self.template["Resources"].items() if v["Type"] == kind]

    def function_named(self, logical_id: str) -> DeployedFunction | None:
        """The deployed function of that logical id (None for CDK's own helpers)."""
        return next((f for f in self.functions.values() if f.logical_id == logical_id), None)

    def function_behind(self, logical_id: str) -> str:
        """The function a reference names: itself, or the one behind its alias or version
        (the state machine calls each step's `live` alias)."""
        resource = self.template["Resources"][logical_id]
        if resource["Type"] in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return self.function_behind(resource["Properties"]["FunctionName"]["Ref"])
        return logical_id

    def definition_with(self, arn_of: Callable[[str], str]) -> str:
        """The definition with each `${...}` replaced, a function's ARN by ``arn_of(id)`` of
        the function behind the alias (or the function) the template substitutes."""
        text = self.state_machine_definition
        for key, value in self.substitutions.items():
            (logical_id,) = [value["Ref"]] if "Ref" in value else value["Fn::GetAtt"][:1]
            text = text.replace("${" + key + "}", arn_of(self.function_behind(logical_id)))
        return text


def synthesized_deployment(outdir: Path, function_names: tuple[str, ...]) -> Deployment:
    (template_file,) = outdir.glob("*.template.json")
    template = json.loads(template_file.read_text(encoding="utf-8"))
    resources = template["Resources"]

    def asset(key: str) -> Path:
        return outdir / f"asset.{key.removesuffix('.zip')}"

    functions: dict[str, DeployedFunction] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        props = resource["Properties"]
        variables = props.get("Environment", {}).get("Variables", {})
        name = variables.get("POWERTOOLS_SERVICE_NAME")
        if name not in function_names:
            continue  # CDK's own helpers (bucket notifications, log retention)
        layers = tuple(
            asset(resources[layer["Ref"]]["Properties"]["Content"]["S3Key"]) / "python"
            for layer in props.get("Layers", [])
        )
        functions[name] = DeployedFunction(
            name=name,
            logical_id=logical_id,
            code=asset(props["Code"]["S3Key"]),
            layers=layers,
            environment=variables,
            memory_mb=int(props.get("MemorySize", 128)),
        )
    (machine,) = [r for r in resources.values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    definition = asset(machine["Properties"]["DefinitionS3Location"]["Key"])
    return Deployment(
        template=template,
        functions=functions,
        state_machine_definition=definition.read_text(encoding="utf-8"),
        substitutions=machine["Properties"].get("DefinitionSubstitutions", {}),
    )


def runtime_sdk(python_version: str, build_root: Path = layer_build.BUILD_ROOT) -> Path:
    """A copy of this venv's boto3 and friends (pure Python), standing for the runtime's own."""
    import botocore

    target = build_root / f"runtime-sdk-{botocore.__version__}-py{python_version}"
    if target.is_dir():
        return target
    site = Path(botocore.__file__).resolve().parents[1]
    staging = target.with_name(f"{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in RUNTIME_SDK:
        source = site / name
        if source.is_dir():
            shutil.copytree(source, staging / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, staging / name)
    # The runtime's own packages come with their bytecode.
    layer_build.compile_bytecode(staging, python_version)
    staging.rename(target)
    return target


@dataclass
class RehearsalPython:
    """The interpreter the functions run on: the deployed runtime's version when found."""

    executable: str
    version: str

    @property
    def is_deployed_runtime(self) -> bool:
        return self.version == layer_build.DEPLOYED_PYTHON

    @classmethod
    def find(cls) -> RehearsalPython:
        chosen = os.environ.get("REHEARSAL_PYTHON")  # another interpreter, on purpose
        if chosen:
            probe = [chosen, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
            version = subprocess.run(probe, capture_output=True, text=True, check=True)  # noqa: S603
            return cls(chosen, version.stdout.strip()).announced()
        deployed = layer_build.find_python(layer_build.DEPLOYED_PYTHON)
        if deployed:
            return cls(deployed, layer_build.DEPLOYED_PYTHON)
        return cls(sys.executable, layer_build.current_python_version()).announced()

    def announced(self) -> RehearsalPython:
        if not self.is_deployed_runtime:
            print(
                f"rehearsal: not python{layer_build.DEPLOYED_PYTHON} (none here, or "
                f"REHEARSAL_PYTHON): the same requirements are built and run for "
                f"python{self.version} instead (CI runs {layer_build.DEPLOYED_PYTHON} with "
                "the deployed layer)",
                file=sys.stderr,
            )
        return self


class FunctionError(RuntimeError):
    """The function raised (Lambda's FunctionError: Unhandled), or failed to import."""

    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__(f"{reply['errorType']}: {reply['errorMessage']}")
        self.error_type = reply["errorType"]
        self.reply = reply


def function_error(reply: dict[str, Any]) -> FunctionError:
    """An exception named as the function's was, since the state machine's Retry and Catch
    match the error's name (`TransientError`, `TranscriptRejected`, ...)."""
    named = type(str(reply["errorType"]), (FunctionError,), {})
    return named(reply)


@dataclass
class LambdaHost:
    """One execution environment of one function: started once, then invoked many times."""

    python: str
    path: list[Path]  # function code, then layers, then the runtime's SDK
    environment: dict[str, str]
    log: Path | None = None
    init: dict[str, Any] = field(default_factory=dict)
    _process: subprocess.Popen[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> dict[str, Any]:
        stderr = self.log.open("a", encoding="utf-8") if self.log else subprocess.DEVNULL
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our script
            [self.python, "-I", "-S", "-B", str(HOST_SCRIPT), *map(str, self.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=self.environment,
        )
        self.init = self._read()
        if "errorType" in self.init:
            self.stop()
            raise function_error(self.init)
        return self.init

    def invoke(self, event: dict[str, Any]) -> Any:
        with self._lock:  # one invocation at a time per environment, as in Lambda
            if self._process is None:
                self.start()
            assert self._process is not None and self._process.stdin is not None
            self._process.stdin.write(json.dumps(event) + "\n")
            self._process.stdin.flush()
            reply = self._read()
        if "errorType" in reply:
            raise function_error(reply)
        return reply["result"]

    def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            code = self._process.wait()
            where = f" (its output: {self.log})" if self.log else ""
            raise RuntimeError(f"the function's environment exited with {code}{where}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def stop(self) -> None:
        if self._process is not None:
            if self._process.stdin:
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


def base_environment(function: DeployedFunction) -> dict[str, str]:
    """What Lambda sets in every environment, without this machine's own variables."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": str(function.code),
        # No X-Ray daemon here to send segments to; in AWS the tracer is on.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - Lambda's HOME is not writable either
    }


def host_beside(
    function: DeployedFunction,
    code: Path,
    python: RehearsalPython,
    layer_site: Path | None,
    environment: dict[str, str],
) -> LambdaHost:
    """A function of the test's own (``code``) on ``function``'s layers (or the layer built
    for this interpreter, ``layer_site``) and the runtime's SDK, with ``environment``."""
    layers = [layer_site] if layer_site else list(function.layers)
    return LambdaHost(
        python=python.executable,
        path=[code, *layers, runtime_sdk(python.version)],
        environment=environment,
    )
