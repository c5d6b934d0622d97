"""Print the API's OpenAPI document without a server: build the API app over ports that are
never used and answer GET /openapi.json through its own handler, as API Gateway would call it.

Run from the repository root with its .venv: the generated web client follows this document,
so a changed route changes web/src/api/schema.d.ts and breaks `npm run api:check`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.api.app import OPENAPI_PATH, build_app
from coaching.composition import build_ports
from coaching.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Prose, not shape: dropped so that rewording the API's documentation does not change the
# generated client (only a changed route, field or type should).
PROSE = frozenset({"description", "summary", "title", "example", "examples", "externalDocs"})
# Objects whose keys are names (a field called "summary" is kept).
NAMED = frozenset(
    {"properties", "paths", "schemas", "responses", "content", "headers", "securitySchemes"}
)


def openapi_event() -> dict:
    event = json.loads((ROOT / "events" / "api_get_sessions.json").read_text())
    event["httpMethod"] = event["requestContext"]["httpMethod"] = "GET"
    event["path"] = event["resource"] = event["requestContext"]["resourcePath"] = OPENAPI_PATH
    event["requestContext"]["path"] = f"/prod{OPENAPI_PATH}"
    event["pathParameters"] = event["queryStringParameters"] = None
    event["multiValueQueryStringParameters"] = None
    event["body"] = None
    return event


def shape_only(node: object, names: bool = False) -> object:
    """The document without its prose; ``names`` marks an object whose keys are names."""
    if isinstance(node, list):
        return [shape_only(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: shape_only(value, names=key in NAMED and not names)
        for key, value in node.items()
        if names or key not in PROSE
    }


def main() -> None:
    app = build_app(build_ports(Settings()))
    context = LocalLambdaContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api")
    answer = app.resolve(openapi_event(), context)
    if answer["statusCode"] != 200:
        sys.exit(f"GET {OPENAPI_PATH} answered {answer['statusCode']}: {answer['body']}")
    # Sorted and indented, so the generated client's diff shows only real changes.
    document = json.loads(answer["body"])
    document.pop("tags", None)
    document.pop("info", None)
    json.dump(shape_only(document), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
