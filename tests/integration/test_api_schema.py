"""schemathesis against the API's own /openapi.json: the same Lambda handler as in AWS and
`coach serve`, called in-process through the local gateway (no network)."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from functions.api.handler import lambda_handler
from local_runtime.gateway import proxy_endpoint
from local_runtime.server import API_EXCEPTION_HANDLERS, api_routes

pytestmark = pytest.mark.integration

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


# The caller's organization, made by the fixture below (the database starts with it).
CALLER: dict[str, str] = {}
APP = Starlette(
    routes=api_routes(proxy_endpoint(lambda_handler, lambda _: CALLER)),
    exception_handlers=API_EXCEPTION_HANDLERS,
)
# The document needs no database: loading it at collection is cheap.
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def caller(platform):
    org = uuid.uuid4()
    platform.deps.store.ensure_organization(org, f"schemathesis {org}")
    CALLER["organization_id"] = str(org)
    yield
    CALLER.clear()


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case):
    # Whatever the generated request, no 5xx, and the answer matches the document
    case.call_and_validate(checks=CHECKS)
