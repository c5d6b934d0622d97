"""The OpenAPI document a generated client is built from: how to authenticate, areas, and a
real schema for every success body. It needs no database: the app is built over ports that
are never used."""

from __future__ import annotations

import json

import pytest

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.api.app import build_app
from coaching.composition import build_ports
from coaching.config import Settings
from functions.api.handler import lambda_handler
from tests.lambda_events import load_event

CONTEXT = LocalLambdaContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api")
PUBLIC = ("/v1/auth/", "/v1/unsubscribe/", "/health")


def _get(path: str) -> dict:
    event = load_event("api_get_sessions")
    event.update(path=path, httpMethod="GET", headers={}, multiValueHeaders={})
    reply = lambda_handler(event, CONTEXT, app=build_app(build_ports(Settings())))
    assert reply["statusCode"] == 200
    return reply


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(_get("/openapi.json")["body"])


def test_swagger_ui_has_the_schemes_so_its_authorize_button_shows():
    page = _get("/docs")["body"]
    assert '"securitySchemes"' in page and '"bearerFormat":"JWT"' in page.replace(" ", "")
    assert "persistAuthorization: true" in page


def _operations(document: dict):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_the_document_offers_bearer_tokens_and_api_keys(document):
    schemes = document["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http"}
    assert {scheme["scheme"] for scheme in schemes.values()} == {"bearer"}
    assert {scheme.get("bearerFormat") for scheme in schemes.values()} == {"JWT", "coach_..."}


def test_every_protected_route_asks_for_a_token_and_public_ones_do_not(document):
    schemes = set(document["components"]["securitySchemes"])
    for path, method, operation in _operations(document):
        if path.startswith(PUBLIC):
            assert "security" not in operation, (method, path)
        else:
            # Either scheme will do: an access token or an API key
            required = operation.get("security", [])
            assert sorted(required, key=str) == sorted(({n: []} for n in schemes), key=str), (
                method,
                path,
            )


def test_every_route_is_tagged_with_its_area(document):
    declared = {tag["name"] for tag in document["tags"]}
    areas = {
        "sessions",
        "summaries",
        "follow-ups",
        "clients",
        "templates",
        "executions",
        "admin",
        "auth",
        "api keys",
        "coach profile",
    }
    assert areas <= declared
    for path, method, operation in _operations(document):
        assert len(operation.get("tags", [])) == 1, (method, path)
        assert operation["tags"][0] in declared, (method, path)
    assert document["paths"]["/v1/executions"]["get"]["tags"] == ["executions"]
    assert document["paths"]["/v1/auth/login"]["post"]["tags"] == ["auth"]


def _is_bare(schema: dict, components: dict) -> bool:
    """A schema that says nothing of the body: no schema, or an object with no properties."""
    if not schema:
        return True
    if "$ref" in schema:
        return _is_bare(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if "anyOf" in schema or "oneOf" in schema or "allOf" in schema:
        return False
    if schema.get("type") == "array":
        return _is_bare(schema.get("items", {}), components)
    if schema.get("type") == "object":
        return not schema.get("properties")
    return "type" not in schema


def test_every_success_body_is_documented_with_its_model(document):
    components = document["components"]["schemas"]
    bare = []
    for path, method, operation in _operations(document):
        for status, answer in operation["responses"].items():
            if not status.startswith("2"):
                continue
            if status == "204":
                assert "content" not in answer, (method, path)  # no body to describe
                continue
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            if _is_bare(schema, components):
                bare.append(f"{method.upper()} {path} {status}")
    assert bare == []
