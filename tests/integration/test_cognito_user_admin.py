"""An admin's changes and a person's own password on Cognito, call by call on Stubber: the
role in the claims, disabling (and the global sign-out), ChangePassword with the access token
that signing in with the current password yields (the API's bearer is the ID token)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from coaching.adapters.aws.cognito_identity import CognitoIdentityProvider
from coaching.adapters.aws.cognito_users import CognitoUserDirectory
from coaching.domain.errors import Forbidden, WeakPassword
from coaching.domain.identity import Role

pytestmark = pytest.mark.integration

POOL = "eu-west-1_Pool"
CLIENT_ID = "stubbed-client-id"
EMAIL = "casey@example.org"
CURRENT = "the current long password"
NEW = "a brand new long password"


@pytest.fixture
def cognito() -> Iterator[tuple[object, Stubber]]:
    client = boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        aws_access_key_id="stub",
        aws_secret_access_key="stub",  # noqa: S106 - Stubber: nothing leaves the process
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _password_sign_in(stub: Stubber, answer: dict) -> None:
    stub.add_response(
        "initiate_auth",
        answer,
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": EMAIL, "PASSWORD": CURRENT},
        },
    )


def test_a_password_change_uses_the_access_token_of_a_sign_in_with_the_current_one(cognito):
    client, stub = cognito
    _password_sign_in(
        stub,
        {"AuthenticationResult": {"AccessToken": "access.token", "IdToken": "id.token"}},
    )
    stub.add_response(
        "change_password",
        {},
        {"PreviousPassword": CURRENT, "ProposedPassword": NEW, "AccessToken": "access.token"},
    )
    CognitoIdentityProvider(client, CLIENT_ID, user_pool_id=POOL).change_password(
        EMAIL, CURRENT, NEW
    )


def test_with_an_authenticator_the_proven_password_is_set_by_the_admin_call(cognito):
    client, stub = cognito
    _password_sign_in(stub, {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s" * 40})
    stub.add_response(
        "admin_set_user_password",
        {},
        {"UserPoolId": POOL, "Username": EMAIL, "Password": NEW, "Permanent": True},
    )
    CognitoIdentityProvider(client, CLIENT_ID, user_pool_id=POOL).change_password(
        EMAIL, CURRENT, NEW
    )


def test_a_wrong_current_password_is_forbidden_not_a_sign_out(cognito):
    client, stub = cognito
    stub.add_client_error("initiate_auth", "NotAuthorizedException", "Incorrect")
    with pytest.raises(Forbidden, match="current password"):
        CognitoIdentityProvider(client, CLIENT_ID, user_pool_id=POOL).change_password(
            EMAIL, CURRENT, NEW
        )


def test_the_pools_policy_refusing_the_new_password_is_a_weak_password(cognito):
    client, stub = cognito
    _password_sign_in(stub, {"AuthenticationResult": {"AccessToken": "access.token"}})
    stub.add_client_error("change_password", "InvalidPasswordException", "policy")
    with pytest.raises(WeakPassword):
        CognitoIdentityProvider(client, CLIENT_ID, user_pool_id=POOL).change_password(
            EMAIL, CURRENT, NEW
        )


def test_a_role_change_rewrites_the_claims(cognito):
    client, stub = cognito
    user_id, coach_id = uuid.uuid4(), uuid.uuid4()
    stub.add_response(
        "admin_update_user_attributes",
        {},
        {
            "UserPoolId": POOL,
            "Username": str(user_id),
            "UserAttributes": [
                {"Name": "custom:role", "Value": "coach_lead"},
                {"Name": "custom:coach_id", "Value": str(coach_id)},
            ],
        },
    )
    CognitoUserDirectory(client, POOL).set_claims(user_id, Role.COACH_LEAD, coach_id)


def test_disabling_also_signs_the_user_out_everywhere_and_enabling_does_not(cognito):
    client, stub = cognito
    user = {"UserPoolId": POOL, "Username": str(uuid.uuid4())}
    stub.add_response("admin_disable_user", {}, user)
    stub.add_response("admin_user_global_sign_out", {}, user)
    stub.add_response("admin_enable_user", {}, user)
    directory = CognitoUserDirectory(client, POOL)
    directory.set_enabled(uuid.UUID(user["Username"]), False)
    directory.set_enabled(uuid.UUID(user["Username"]), True)
