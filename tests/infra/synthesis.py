"""The infra tests' one way to synthesize CoachingPlatformStack and to read its template.

Each test module synthesizes the stack with the context it is about; this builds it (over
fake function folders unless told otherwise), runs the cdk-nag packs asked for, and answers
the questions the tests ask of the template: a type's resources, our functions by name,
their `live` aliases and role statements, the REST API's routes, cdk-nag's findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from aws_cdk import App, Aspects, IAspect
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from cdk.context import cdk_json_context
from cdk.stack import FUNCTION_NAMES, CoachingPlatformStack

STACK = "CoachingPlatform"
NAG_PACKS = "(AwsSolutions|HIPAA\\.Security)-.*"
# The service name every function of ours logs under; CDK's own functions have none.
SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"


def fake_functions(root: Path) -> Path:
    """A folder per function with a handler that does nothing: the stack needs only the code."""
    for name in FUNCTION_NAMES:
        (root / name).mkdir(parents=True)
        (root / name / "handler.py").write_text("def lambda_handler(e, c):\n    return {}\n")
    return root


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class Synth:  # noqa: PLR0904 - one method per question the infra tests ask of a template
    """The synthesized stack and its template. ``ignoring``: a logical-id prefix whose
    resources the lookups pass over (the integrations' second REST API, for the coaches')."""

    def __init__(self, stack: CoachingPlatformStack, outdir: Path, ignoring: str = "") -> None:
        self.stack = stack
        self.outdir = outdir
        self.template = Template.from_stack(stack)
        every = self.template.to_json()
        self.resources: dict[str, Any] = {
            logical_id: resource
            for logical_id, resource in every["Resources"].items()
            if not (ignoring and logical_id.startswith(ignoring))
        }
        self.outputs: dict[str, Any] = every.get("Outputs", {})

    def resources_of(self, cfn_type: str) -> dict[str, Any]:
        """Logical id -> the whole resource (Type, Properties, Metadata...)."""
        return {k: v for k, v in self.resources.items() if v["Type"] == cfn_type}

    def of_type(self, cfn_type: str) -> dict[str, Any]:
        """Logical id -> the resource's properties."""
        return {k: v["Properties"] for k, v in self.resources_of(cfn_type).items()}

    def one(self, cfn_type: str, contains: str = "") -> tuple[str, dict[str, Any]]:
        found = {k: v for k, v in self.of_type(cfn_type).items() if contains in k}
        assert len(found) == 1, sorted(found)
        return next(iter(found.items()))

    def logical_id(self, cfn_type: str, contains: str) -> str:
        return self.one(cfn_type, contains)[0]

    def functions(self) -> dict[str, str]:
        """Our functions: name (the Powertools service name) -> logical id."""
        found = {}
        for logical_id, props in self.of_type("AWS::Lambda::Function").items():
            variables = (props.get("Environment") or {}).get("Variables", {})
            if SERVICE_NAME in variables:
                found[variables[SERVICE_NAME]] = logical_id
        return found

    def function(self, name: str) -> tuple[str, dict[str, Any]]:
        """Our function `name`: logical id and properties."""
        functions = self.functions()
        assert name in functions, f"no function {name!r} in the template"
        return functions[name], self.of_type("AWS::Lambda::Function")[functions[name]]

    def function_id(self, name: str) -> str:
        return self.function(name)[0]

    def alias_of(self, function_id: str) -> str:
        """The function's `live` alias, which every invoker calls (cdk/release.py)."""
        (alias,) = [
            k
            for k, props in self.of_type("AWS::Lambda::Alias").items()
            if props["FunctionName"] == {"Ref": function_id}
        ]
        return alias

    def alias_id(self, name: str) -> str:
        return self.alias_of(self.function_id(name))

    def role_statements(self, role_id: str) -> list[dict[str, Any]]:
        return [
            statement
            for policy in self.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Roles"]
            for statement in policy["PolicyDocument"]["Statement"]
        ]

    def statements(self, name: str) -> list[dict[str, Any]]:
        """Every IAM statement of the function's role."""
        return self.role_statements(self.function(name)[1]["Role"]["Fn::GetAtt"][0])

    def grants(self, name: str) -> dict[str, list[dict[str, Any]]]:
        """action -> the statements (one per resource) that allow it to the function."""
        found: dict[str, list[dict[str, Any]]] = {}
        for statement in self.statements(name):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                for resource in as_list(statement["Resource"]):
                    found.setdefault(action, []).append(
                        {"resource": resource, "condition": statement.get("Condition")}
                    )
        return found

    def routes(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(full path, HTTP method) -> the method's properties, of the one REST API."""
        resources = self.of_type("AWS::ApiGateway::Resource")
        api_id, _ = self.one("AWS::ApiGateway::RestApi")

        def path_of(parent: Any) -> str:
            if parent == {"Fn::GetAtt": [api_id, "RootResourceId"]}:
                return ""
            props = resources[parent["Ref"]]
            return f"{path_of(props['ParentId'])}/{props['PathPart']}"

        return {
            (path_of(props["ResourceId"]) or "/", props["HttpMethod"]): props
            for props in self.of_type("AWS::ApiGateway::Method").values()
        }

    def findings(self) -> list[str]:
        """cdk-nag's unsuppressed errors and warnings, either pack."""
        annotations = Annotations.from_stack(self.stack)
        return [
            f"{a.id}: {a.entry.data}"
            for a in (
                *annotations.find_error("*", Match.string_like_regexp(NAG_PACKS)),
                *annotations.find_warning("*", Match.string_like_regexp(NAG_PACKS)),
            )
        ]


def synthesize(
    tmp: Path,
    *,
    packs: Iterable[Callable[..., IAspect]] = (AwsSolutionsChecks,),
    change: Callable[[CoachingPlatformStack], None] | None = None,
    functions_root: Path | None = None,
    ignoring: str = "",
    **context: Any,
) -> Synth:
    """The stack with cdk.json's context and ``context`` over it (`-c` values are strings),
    into ``tmp``/cdk.out. ``change(stack)`` runs after the stack is built and before cdk-nag
    reads it."""
    outdir = tmp / "cdk.out"
    app = App(context={**cdk_json_context(), **context}, outdir=str(outdir))
    stack = CoachingPlatformStack(
        app, STACK, functions_root=functions_root or fake_functions(tmp / "functions")
    )
    if change:
        change(stack)
    for pack in packs:
        Aspects.of(app).add(pack(verbose=True))
    return Synth(stack, outdir, ignoring=ignoring)
