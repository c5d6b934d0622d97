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

from coaching import composition
from coaching.config import reset_settings
from coaching.domain.identity import Role
from coaching.usecases.accounts import add_user
from functions.api.handler import lambda_handler
from local_runtime.authorizer import LocalAuthorizer
from local_runtime.gateway import proxy_endpoint
from local_runtime.server import API_EXCEPTION_HANDLERS, api_routes

pytestmark = pytest.mark.integration
PASSWORD = "schemathesis admin password"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


# The caller: an admin of a fresh organization, made by the fixture below. The local
# authorizer verifies their real token, as `coach serve` does.
CALLER: dict[str, str] = {}


def _verify(token: str) -> dict[str, str]:
    from coaching import composition

    return composition.identity_provider().verify(token)


APP = Starlette(
    routes=api_routes(proxy_endpoint(lambda_handler, LocalAuthorizer(_verify), 1024 * 1024)),
    exception_handlers=API_EXCEPTION_HANDLERS,
)
# The document needs no database: loading it at collection is cheap.
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def caller(platform):
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"schemathesis {org}")
    # The fuzzing is about the routes: the caller signs in with a password alone.
    composition.organizations().update_organization_settings(org, {"mfa_required": False})
    email = f"admin-{org.hex[:8]}@example.com"
    provider = composition.identity_provider()
    add_user(
        composition.accounts(),
        provider.hash_password,
        org,
        email=email,
        name="Schema Admin",
        role=Role.ADMIN,
        password=PASSWORD,
    )
    CALLER["token"] = provider.sign_in(email, PASSWORD).access_token
    with pytest.MonkeyPatch.context() as env:
        env.setenv("COACH_RATE_LIMIT_PER_MINUTE", "100000")  # fuzzing is not one coach's pace
        reset_settings()
        yield
    reset_settings()
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
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {CALLER['token']}"})
