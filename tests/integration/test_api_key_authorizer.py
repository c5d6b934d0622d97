"""The API key authorizer Lambda (AWS): a valid key gets an Allow for its one method and the
context the API reads — the API then treats it exactly as behind `coach serve`; anything
else fails as "Unauthorized", which API Gateway answers with 401."""

from __future__ import annotations

import pytest

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.domain.identity import Role
from functions.api_key_authorizer.handler import lambda_handler
from tests.api_calls import claims_for, delete, request
from tests.api_keys import create_key
from tests.lambda_events import load_event
from tests.local_ports import ports

pytestmark = pytest.mark.integration

CONTEXT = LocalLambdaContext(
    "api_key_authorizer", "arn:aws:lambda:us-east-1:123456789012:function:api_key_authorizer"
)
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/v1/sessions"


def authorize(header: str | None) -> dict:
    event = load_event("api_key_authorizer_request")
    event["headers"].pop("Authorization")
    if header is not None:
        event["headers"]["authorization"] = header
    return lambda_handler(event, CONTEXT, store=ports().api_keys)


def test_a_valid_key_is_allowed_this_method_with_its_context(organization):
    created = create_key(organization, ("sessions:read",))
    answer = authorize(f"Bearer {created['key']}")

    assert answer["principalId"] == f"api-key:{created['id']}"
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "execute-api:Invoke"
    assert statement["Resource"] == [METHOD_ARN]
    assert answer["context"] == {
        "principalId": f"api-key:{created['id']}",
        "api_key_id": created["id"],
        "organization_id": str(organization),
        "scopes": "sessions:read",
    }
    assert created["key"] not in str(answer)

    # And the API, handed that context as API Gateway does, answers as behind `coach serve`
    assert request("GET", "/v1/sessions", answer["context"])[0] == 200
    assert request("GET", "/v1/organization", answer["context"])[0] == 403


@pytest.mark.parametrize(
    "header",
    [None, "", "Basic YWRtaW46YWRtaW4=", "Bearer not-a-key", "Bearer coach_" + "0" * 32 + "_x"],
)
def test_anything_but_a_valid_key_is_unauthorized(header):
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(header)


def test_a_revoked_key_is_unauthorized(organization):
    created = create_key(organization, ("sessions:read",))
    assert delete(f"/v1/api-keys/{created['id']}", claims_for(organization, Role.ADMIN)) == 204
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(f"Bearer {created['key']}")
