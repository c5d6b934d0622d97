"""schemathesis against the API's own /openapi.json: the same Lambda handler as in AWS and
`coach serve`, called in-process through the local gateway (no network)."""

from __future__ import annotations

import uuid
from typing import Any

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

from coaching.api.app import build_app
from coaching.composition import build_ports
from coaching.config import Settings
from coaching.domain.identity import Role
from coaching.usecases.accounts import add_user
from functions.api.handler import lambda_handler
from local_runtime.authorizer import LocalAuthorizer, api_key_verifier
from local_runtime.gateway import proxy_endpoint
from local_runtime.server import API_EXCEPTION_HANDLERS, api_routes
from tests import local_ports
from tests.local_ports import ports, settings_changed

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
    from tests.local_ports import ports

    return ports().identity_provider.verify(token)


def _verify_key(presented: str) -> dict[str, str]:
    from tests.local_ports import ports

    return api_key_verifier(ports().api_keys)(presented)


# The document needs no database: loading it at collection, before the platform starts,
# is cheap, over ports that are never used.
_DOCUMENT_ONLY = build_app(build_ports(Settings()))


def _api_handler(event: dict, context: Any) -> dict:
    if not local_ports.is_started():
        return lambda_handler(event, context, app=_DOCUMENT_ONLY)
    return local_ports.api_handler(event, context)


APP = Starlette(
    routes=api_routes(
        proxy_endpoint(_api_handler, LocalAuthorizer(_verify, verify_key=_verify_key), 1024 * 1024)
    ),
    exception_handlers=API_EXCEPTION_HANDLERS,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def caller(platform):
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"schemathesis {org}")
    # The fuzzing is about the routes: the caller signs in with a password alone.
    ports().organizations.update_organization_settings(org, {"mfa_required": False})
    email = f"admin-{org.hex[:8]}@example.com"
    provider = ports().identity_provider
    add_user(
        ports().accounts,
        provider.hash_password,
        org,
        email=email,
        name="Schema Admin",
        role=Role.ADMIN,
        password=PASSWORD,
    )
    CALLER["token"] = provider.sign_in(email, PASSWORD).access_token
    with settings_changed(rate_limit_per_minute=100000):  # fuzzing is not one coach's pace
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
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {CALLER['token']}"})
