"""Every success answer the tests get from the API is checked against the OpenAPI document:
a generated client is built from it, so a field the document does not name (or names with
another type) fails the test that met it, wherever in the suite."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from jsonschema import Draft202012Validator

from coaching.api.app import API_TITLE, api_version, build_app
from coaching.api.openapi_document import SECURITY_SCHEMES, tags
from coaching.composition import build_ports
from coaching.config import Settings


@functools.cache
def _document() -> dict[str, Any]:
    # The document needs no database: built once, over ports that are never used.
    app = build_app(build_ports(Settings()))
    return json.loads(
        app.get_openapi_json_schema(
            title=API_TITLE,
            version=api_version(),
            tags=tags(),
            security_schemes=SECURITY_SCHEMES,
        )
    )


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str, int]]:
    """(pattern, template, parameters) per documented path; fixed segments win over
    parameters (/v1/follow-ups/batch before /v1/follow-ups/{follow_up_id})."""
    routes = []
    for template in _document()["paths"]:
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template, template.count("{")))
    return sorted(routes, key=lambda route: route[2])


def _operation(method: str, path: str) -> dict[str, Any] | None:
    for pattern, template, _ in _routes():
        operation = _document()["paths"][template].get(method.lower())
        if operation is not None and pattern.match(path):
            return operation
    return None


def assert_documented(method: str, path: str, status: int, body: Any) -> None:
    """A 2xx JSON answer matches the schema its operation documents for that status."""
    if not 200 <= status < 300 or not path.startswith("/v1/"):
        return
    operation = _operation(method, path)
    assert operation is not None, f"{method} {path} is not in the OpenAPI document"
    answer = operation["responses"].get(str(status))
    assert answer is not None, f"{method} {path} answered {status}, which is not documented"
    schema = answer.get("content", {}).get("application/json", {}).get("schema")
    assert schema is not None, f"{method} {path} {status} has a body the document does not give"
    validator = Draft202012Validator({**schema, "components": _document()["components"]})
    problems = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"
        for error in validator.iter_errors(body)
    ]
    assert not problems, (
        f"{method} {path} {status} does not match its documented model "
        f"(layers/coaching/api/models/): {problems[:5]}"
    )
