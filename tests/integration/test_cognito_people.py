"""People on Cognito (moto): AdminCreateUser with the claims the API reads, its sub as the
users row's id, and the rows and the Cognito user undone together."""

# ruff: noqa: F811 - the Cognito pool fixtures are imported from test_cognito_identity
from __future__ import annotations

import json
import uuid

import boto3
import jwt
import pytest
from botocore.stub import Stubber

from coaching.adapters.aws.cognito_users import CognitoUserDirectory
from coaching.adapters.postgres import PostgresCoaches
from coaching.domain.errors import Conflict, WeakPassword
from coaching.domain.identity import Role
from coaching.ports.identity import Challenge
from coaching.ports.user_directory import DirectoryUser
from coaching.usecases.people import PeoplePorts, add_person, create_organization
from tests.cognito_challenges import mfa_enrolment, new_password_then_mfa_setup
from tests.integration.test_cognito_identity import aws, pool  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration

TEMPORARY = "Temporary-pass-42!"


def attributes_of(pool, username: str) -> dict[str, str]:
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


@pytest.fixture
def directory(pool) -> CognitoUserDirectory:
    return CognitoUserDirectory(pool.cognito, pool.pool_id)


def test_a_created_user_carries_the_claims_and_must_choose_a_password(pool, directory) -> None:
    # Given an organization's coach record
    coach_id = uuid.uuid4()

    # When the directory creates the coach with a temporary password
    sub = directory.create_user(
        DirectoryUser("casey@example.org", "Casey", pool.organization_id, Role.COACH, coach_id),
        TEMPORARY,
    )

    # Then Cognito's user is named by that sub and carries the claims, its email verified
    attributes = attributes_of(pool, str(sub))
    assert attributes["sub"] == str(sub)
    assert attributes["custom:organization_id"] == str(pool.organization_id)
    assert attributes["custom:role"] == "coach" and attributes["custom:coach_id"] == str(coach_id)
    assert attributes["email_verified"] == "true"
    # And signing in with the temporary password asks for a new one
    challenge = pool.provider.sign_in("casey@example.org", TEMPORARY)
    assert isinstance(challenge, Challenge) and challenge.name == "NEW_PASSWORD_REQUIRED"


def test_a_taken_email_is_a_conflict_and_deleting_twice_is_fine(pool, directory) -> None:
    user = DirectoryUser("ada@example.org", "Ada", pool.organization_id, Role.ADMIN)
    sub = directory.create_user(user, TEMPORARY)
    with pytest.raises(Conflict):
        directory.create_user(user, TEMPORARY)
    directory.delete_user(sub)
    directory.delete_user(sub)
    with pytest.raises(pool.cognito.exceptions.UserNotFoundException):
        pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=str(sub))


def test_a_temporary_password_the_pool_refuses_is_a_weak_password() -> None:
    # moto does not check a temporary password against the pool's policy: Stubber answers
    client = boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        aws_access_key_id="stub",
        aws_secret_access_key="stub",  # noqa: S106 - Stubber: nothing leaves the process
    )
    with Stubber(client) as stub:
        stub.add_client_error("admin_create_user", "InvalidPasswordException", http_status_code=400)
        with pytest.raises(WeakPassword, match="password policy"):
            CognitoUserDirectory(client, "eu-west-1_Pool").create_user(
                DirectoryUser("ada@example.org", "Ada", uuid.uuid4(), Role.ADMIN), "nosymbols"
            )


def test_the_first_admin_of_a_new_organization_on_cognito_and_postgres(
    pool,
    directory,
    platform,
) -> None:
    # Given Cognito and the database
    ports = PeoplePorts(
        platform.ports.accounts,
        PostgresCoaches(platform.ports.database),
        platform.ports.organizations,
        directory,
    )
    email = f"admin-{uuid.uuid4().hex[:8]}@example.org"

    # When the first admin of a new organization is created
    org, admin = create_organization(
        ports, "Northwind", {"email": email, "name": "Ada", "role": Role.ADMIN}
    )

    # Then the row's id is Cognito's sub, and Cognito's claims name the new organization
    assert platform.ports.accounts.user(org, admin.id) == admin
    attributes = attributes_of(pool, str(admin.id))
    assert attributes["custom:organization_id"] == str(org)
    assert attributes["custom:role"] == "admin"
    # And a coach added to it gets the coach record Cognito's claim names
    coach = add_person(
        ports,
        org,
        email=f"coach-{email}",
        name="Casey",
        role=Role.COACH,
        temporary_password=TEMPORARY,
    )
    assert attributes_of(pool, str(coach.id))["custom:coach_id"] == str(coach.coach_id)
    assert ports.coaches.coach_id_by_email(org, f"coach-{email}") == coach.coach_id


@pytest.fixture
def aws_cli(pool, platform, monkeypatch):
    """`coach` configured for a deployed stack: Cognito (moto) and the database's URL."""
    from typer.testing import CliRunner

    from coaching.config import reset_settings
    from local_runtime.cli import app

    monkeypatch.setenv("COACH_RUNTIME", "aws")
    monkeypatch.setenv("COACH_USER_POOL_ID", pool.pool_id)
    monkeypatch.setenv("COACH_DATABASE_URL", platform.settings.database_url)
    reset_settings()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args), env={"COACH_NEW_USER_PASSWORD": ""})
    reset_settings()


def test_coach_org_create_then_users_add_and_list_on_aws(aws_cli, pool, platform) -> None:
    # Given a deployed stack, when the first admin of a new organization is created
    email = f"first-{uuid.uuid4().hex[:8]}@example.org"
    created = aws_cli("org", "create", "Northwind", "--admin", email, "--json")
    assert created.exit_code == 0, created.output
    ids = json.loads(created.stdout)
    org = ids["organization_id"]

    # Then Cognito emails the admin a temporary password (none was given) under the new org
    attributes = attributes_of(pool, ids["admin_id"])
    assert attributes["custom:organization_id"] == org and attributes["custom:role"] == "admin"

    # And that admin's organization gets a coach, with the coach record Cognito's claim names
    coach_email = f"coach-{email}"
    added = aws_cli(
        "users", "add", coach_email, "--name", "Casey", "--role", "coach", "--organization", org
    )
    assert added.exit_code == 0, added.output
    listed = {
        row["email"]: row
        for row in json.loads(aws_cli("users", "list", "--json", "--organization", org).stdout)
    }
    assert set(listed) == {email, coach_email}
    coach_attributes = attributes_of(pool, listed[coach_email]["id"])
    assert coach_attributes["custom:coach_id"] == listed[coach_email]["coach_id"]


def test_users_add_on_aws_says_what_went_wrong(aws_cli, platform) -> None:
    taken = f"taken-{uuid.uuid4().hex[:8]}@example.org"
    org = str(platform.settings.default_organization_id)
    assert aws_cli("users", "add", taken, "--name", "T", "--role", "admin").exit_code == 0
    again = aws_cli("users", "add", taken, "--name", "T", "--role", "admin", "--organization", org)
    assert again.exit_code == 1 and "already exists" in again.output


def test_the_api_takes_a_new_user_from_temporary_password_to_tokens(
    pool, directory, platform
) -> None:
    from coaching.adapters.aws.cognito_identity import CognitoIdentityProvider
    from tests.api_calls import request
    from tests.local_ports import ports_replaced

    # Given a coach an admin created on Cognito with a temporary password
    email = f"new-{uuid.uuid4().hex[:8]}@example.org"
    coach_id = uuid.uuid4()
    sub = directory.create_user(
        DirectoryUser(email, "Casey", pool.organization_id, Role.COACH, coach_id), TEMPORARY
    )
    cognito = CognitoIdentityProvider(pool.cognito, pool.client_id)
    with ports_replaced(identity_provider=cognito):
        # When they sign in, the API answers with the challenge in its usual shape
        status, challenge = request(
            "POST", "/v1/auth/login", None, body={"email": email, "password": TEMPORARY}
        )
        assert status == 200 and challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
        assert set(challenge) == {"challenge", "session"}
        # A password shorter than the policy is refused before Cognito is asked
        status, _ = request(
            "POST",
            "/v1/auth/new-password",
            None,
            body={"session": challenge["session"], "new_password": "short"},
        )
        assert status == 422
        # Then answering with their own password gives the tokens naming them
        status, tokens = request(
            "POST",
            "/v1/auth/new-password",
            None,
            body={"session": challenge["session"], "new_password": "Chosen-by-me-2026!"},
        )
    assert status == 200, tokens
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["sub"] == str(sub) and claims["custom:coach_id"] == str(coach_id)


def test_the_local_provider_has_no_new_password_challenge(platform) -> None:
    from tests.api_calls import request

    status, body = request(
        "POST",
        "/v1/auth/new-password",
        None,
        body={"session": "x" * 32, "new_password": "Chosen-by-me-2026!"},
    )
    assert status == 401 and body["error"]["code"] == "COACH_401"


def test_the_api_chains_new_password_into_mfa_enrolment_where_mfa_is_required(platform) -> None:
    # moto never asks MFA_SETUP after a password: Cognito's answers come from Stubber
    from botocore.stub import ANY

    from coaching.adapters.aws.cognito_identity import CognitoIdentityProvider
    from tests.api_calls import request
    from tests.local_ports import ports_replaced

    client = boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        aws_access_key_id="stub",
        aws_secret_access_key="stub",  # noqa: S106 - Stubber: nothing leaves the process
    )
    sub = str(uuid.uuid4())
    email = f"chain-{uuid.uuid4().hex[:8]}@example.org"
    with Stubber(client) as stub:
        stub.add_response(
            "initiate_auth",
            {
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": "a" * 40,
                "ChallengeParameters": {"USER_ID_FOR_SRP": sub},
            },
        )
        new_password_then_mfa_setup(
            stub,
            client_id="client",
            username=sub,
            new_password="Chosen-by-me-2026!",
            session="a" * 40,
            next_session="b" * 40,
        )
        mfa_enrolment(
            stub,
            client_id="client",
            username=sub,
            secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
            sessions=("b" * 40, "c" * 40, "d" * 40),
            device_name=ANY,
            result={
                "AuthenticationResult": {
                    "IdToken": "h.p.s",
                    "RefreshToken": "r" * 20,
                    "ExpiresIn": 900,
                }
            },
        )
        with ports_replaced(identity_provider=CognitoIdentityProvider(client, "client")):
            # When the user signs in with the temporary password and chooses their own
            _, first = request(
                "POST", "/v1/auth/login", None, body={"email": email, "password": TEMPORARY}
            )
            status, second = request(
                "POST",
                "/v1/auth/new-password",
                None,
                body={"session": first["session"], "new_password": "Chosen-by-me-2026!"},
            )
            # Then the next challenge is MFA_SETUP, answered through the existing routes
            assert (status, second["challenge"]) == (200, "MFA_SETUP")
            status, setup = request(
                "POST", "/v1/auth/mfa/setup", None, body={"session": second["session"]}
            )
            assert status == 200 and setup["otpauth_uri"].startswith("otpauth://totp/")
            status, tokens = request(
                "POST",
                "/v1/auth/mfa/setup/confirm",
                None,
                body={"session": setup["session"], "code": "123456"},
            )
        stub.assert_no_pending_responses()
    assert status == 200 and tokens["access_token"] == "h.p.s"
