"""The Cognito identity provider: on moto where moto answers the call, otherwise on botocore's
Stubber (moto has no RevokeToken, and never asks for MFA_SETUP in USER_PASSWORD_AUTH)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import boto3
import jwt
import pyotp
import pytest
from botocore.stub import Stubber

from coaching.adapters.aws.cognito_identity import (
    ISSUER_NAME,
    CognitoIdentityProvider,
    cognito_identity_provider,
)
from coaching.api.identity import principal_from_claims
from coaching.domain.errors import (
    ConfigurationError,
    NotFound,
    PermanentError,
    TooManyRequests,
    TransientError,
    Unauthenticated,
    WeakPassword,
)
from coaching.domain.identity import Role
from coaching.ports.identity import Challenge, MfaSetup, TokenSet
from tests.authenticator_clock import AUTHENTICATOR_CLOCK
from tests.cognito_challenges import mfa_enrolment, new_password_then_mfa_setup
from tests.moto_scope import scoped_mock_aws

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
EMAIL = "coach@example.org"
PASSWORD = "Correct-horse-42!"
CLIENT_ID = "stubbed-client-id"
SUB = "7d5c2f3a-0000-4000-8000-000000000007"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits, as Cognito's


# --- a user pool on moto, configured as cdk/identity.py configures it --------------------


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # moto checks TOTP codes only when asked to.
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    # moto's Cognito needs joserfc: the moto[cognitoidp] extra of the dev dependencies.
    models = pytest.importorskip("moto.cognitoidp.models", reason="pip install -e '.[dev]'")
    # moto checks codes at time.time() of its utils module: pinned, as the local provider's
    # are in these tests, so a code never goes stale between reading and checking it.
    import moto.cognitoidp.utils

    monkeypatch.setattr(moto.cognitoidp.utils, "time", SimpleNamespace(time=AUTHENTICATOR_CLOCK))
    with scoped_mock_aws(models.cognitoidp_backends):
        yield


@pytest.fixture
def pool(aws) -> SimpleNamespace:
    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool_id = cognito.create_user_pool(
        PoolName="coaches",
        UsernameAttributes=["email"],
        MfaConfiguration="OPTIONAL",
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Schema=[
            {"Name": "organization_id", "AttributeDataType": "String", "Mutable": False},
            {"Name": "role", "AttributeDataType": "String", "Mutable": True},
            {"Name": "coach_id", "AttributeDataType": "String", "Mutable": True},
        ],
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="api",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        EnableTokenRevocation=True,
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    return SimpleNamespace(
        cognito=cognito,
        pool_id=pool_id,
        client_id=client_id,
        provider=CognitoIdentityProvider(cognito, client_id),
        organization_id=uuid.uuid4(),
        coach_id=uuid.uuid4(),
    )


def add_user(pool: SimpleNamespace, *, permanent: bool = True) -> None:
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=EMAIL,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": EMAIL},
            {"Name": "custom:organization_id", "Value": str(pool.organization_id)},
            {"Name": "custom:role", "Value": "coach"},
            {"Name": "custom:coach_id", "Value": str(pool.coach_id)},
        ],
    )
    if permanent:
        pool.cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username=EMAIL, Password=PASSWORD, Permanent=True
        )


class MotoTotp(pyotp.TOTP):
    # moto hands out one fixed 60-bit secret; Cognito's are 160 bits.
    min_secret_length_bits = 0


def current_code(secret: str) -> str:
    """The authenticator's code at the pinned time moto checks it at."""
    return MotoTotp(secret).at(AUTHENTICATOR_CLOCK())


def enrol_authenticator(pool: SimpleNamespace) -> str:
    """What a user does once with Cognito's access token: enrol TOTP and prefer it."""
    tokens = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    secret = pool.cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    pool.cognito.verify_software_token(
        AccessToken=tokens["AccessToken"], UserCode=current_code(secret)
    )
    pool.cognito.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"],
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return secret


def claims_of(token: str) -> dict:
    # The API never decodes tokens itself: API Gateway's authorizer verifies them.
    return jwt.decode(token, options={"verify_signature": False})


# --- on moto ------------------------------------------------------------------------------


def test_sign_in_hands_out_the_id_token_with_the_claims_the_api_reads(pool) -> None:
    # Given a coach created by an admin with their organization, role and coach id
    add_user(pool)

    # When they sign in
    tokens = pool.provider.sign_in(f"  {EMAIL} ", PASSWORD)

    # Then the bearer is Cognito's ID token, and the API reads the coach from its claims
    assert isinstance(tokens, TokenSet)
    claims = claims_of(tokens.access_token)
    assert claims["token_use"] == "id"
    principal = principal_from_claims(claims)
    assert principal.organization_id == pool.organization_id
    assert principal.role is Role.COACH
    assert principal.coach_id == pool.coach_id
    assert tokens.refresh_token and tokens.expires_in > 0 and tokens.token_type == "Bearer"


def test_wrong_password_and_unknown_email_answer_alike(pool) -> None:
    add_user(pool)
    with pytest.raises(Unauthenticated) as wrong_password:
        pool.provider.sign_in(EMAIL, "Not-the-password-1!")
    with pytest.raises(Unauthenticated) as unknown_email:
        pool.provider.sign_in("nobody@example.org", PASSWORD)
    assert str(wrong_password.value) == str(unknown_email.value)
    assert "email or password" in str(wrong_password.value)


def test_refresh_keeps_the_refresh_token_and_rejects_an_unknown_one(pool) -> None:
    add_user(pool)
    first = pool.provider.sign_in(EMAIL, PASSWORD)
    assert isinstance(first, TokenSet)

    renewed = pool.provider.refresh(first.refresh_token)

    # Cognito does not rotate it: the same refresh token keeps working
    assert renewed.refresh_token == first.refresh_token
    assert claims_of(renewed.access_token)["token_use"] == "id"
    assert claims_of(renewed.access_token)["sub"] == claims_of(first.access_token)["sub"]
    with pytest.raises(Unauthenticated, match="expired"):
        pool.provider.refresh("not-a-refresh-token-we-issued")


def test_a_user_with_an_authenticator_answers_the_mfa_challenge(pool) -> None:
    # Given a coach who enrolled an authenticator
    add_user(pool)
    secret = enrol_authenticator(pool)

    # When they sign in, a challenge comes instead of tokens
    challenge = pool.provider.sign_in(EMAIL, PASSWORD)
    assert isinstance(challenge, Challenge) and challenge.name == "MFA"

    # Then a wrong code is refused, and the current one signs them in
    with pytest.raises(Unauthenticated, match="code is not right"):
        pool.provider.answer_mfa(challenge.session, "000000")
    tokens = pool.provider.answer_mfa(challenge.session, current_code(secret))
    assert principal_from_claims(claims_of(tokens.access_token)).coach_id == pool.coach_id


def test_a_temporary_password_is_replaced_through_the_new_password_challenge(pool) -> None:
    # Given an admin-created user who still has the temporary password they were given
    # (issue 11: this used to be a PermanentError; now the user answers the challenge)
    add_user(pool, permanent=False)
    pool.cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username=EMAIL, Password=PASSWORD, Permanent=False
    )

    # When they sign in, Cognito asks for a new password
    challenge = pool.provider.sign_in(EMAIL, PASSWORD)
    assert isinstance(challenge, Challenge) and challenge.name == "NEW_PASSWORD_REQUIRED"

    # Then answering it signs them in, and the new password is theirs from now on
    tokens = pool.provider.answer_new_password(challenge.session, "Chosen-by-me-2026!")
    assert isinstance(tokens, TokenSet)
    assert principal_from_claims(claims_of(tokens.access_token)).coach_id == pool.coach_id
    assert isinstance(pool.provider.sign_in(EMAIL, "Chosen-by-me-2026!"), TokenSet)
    with pytest.raises(Unauthenticated):
        pool.provider.sign_in(EMAIL, PASSWORD)


def test_a_new_password_answer_with_a_made_up_session_is_refused(pool) -> None:
    with pytest.raises(Unauthenticated, match="session has ended"):
        pool.provider.answer_new_password("not-a-session-of-ours", "Chosen-by-me-2026!")


class RecordedRevocations:
    """The TokenRevocations port, remembering what was revoked."""

    def __init__(self) -> None:
        self.revoked: list[tuple[uuid.UUID, uuid.UUID]] = []

    def revoke_tokens(self, org, user_id, issued_before) -> None:
        self.revoked.append((org, user_id))

    def tokens_valid_after(self, org, user_id):
        return None


def test_an_admin_reset_turns_the_authenticator_off_and_ends_the_sign_ins(pool) -> None:
    # Given a coach with an authenticator, signed in
    add_user(pool)
    secret = enrol_authenticator(pool)
    challenge = pool.provider.sign_in(EMAIL, PASSWORD)
    tokens = pool.provider.answer_mfa(challenge.session, current_code(secret))
    sub = uuid.UUID(claims_of(tokens.access_token)["sub"])
    revocations = RecordedRevocations()
    provider = CognitoIdentityProvider(
        pool.cognito, pool.client_id, user_pool_id=pool.pool_id, revocations=revocations
    )

    # When an admin of their organization resets it
    provider.reset_mfa(pool.organization_id, sub)

    # Then the password signs in without a code (the pool's MFA is optional here; where it
    # is required, Cognito asks to enrol), and the ID tokens issued so far are ended. (moto
    # signs out only tokens issued under the name given to it, so the global sign-out's
    # call is checked on Stubber below.)
    assert isinstance(provider.sign_in(EMAIL, PASSWORD), TokenSet)
    assert revocations.revoked == [(pool.organization_id, sub)]


def test_an_admin_reset_signs_the_user_out_everywhere(stubbed) -> None:
    client, stub = stubbed[0]._cognito, stubbed[1]
    provider = CognitoIdentityProvider(client, CLIENT_ID, user_pool_id="eu-west-1_Pool")
    org = uuid.uuid4()
    user = {"UserPoolId": "eu-west-1_Pool", "Username": SUB}
    stub.add_response(
        "admin_get_user",
        {
            "Username": SUB,
            "UserAttributes": [{"Name": "custom:organization_id", "Value": str(org)}],
        },
        user,
    )
    stub.add_response(
        "admin_set_user_mfa_preference",
        {},
        {**user, "SoftwareTokenMfaSettings": {"Enabled": False, "PreferredMfa": False}},
    )
    stub.add_response("admin_user_global_sign_out", {}, user)
    provider.reset_mfa(org, uuid.UUID(SUB))


def test_an_admin_cannot_reset_another_organizations_user(pool) -> None:
    add_user(pool)
    enrol_authenticator(pool)
    provider = CognitoIdentityProvider(pool.cognito, pool.client_id, user_pool_id=pool.pool_id)
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)
    sub = uuid.UUID(user["Username"])
    for org, user_id in ((uuid.uuid4(), sub), (pool.organization_id, uuid.uuid4())):
        with pytest.raises(NotFound):
            provider.reset_mfa(org, user_id)
    assert isinstance(pool.provider.sign_in(EMAIL, PASSWORD), Challenge)  # untouched


# --- on Stubber -----------------------------------------------------------------------------


@pytest.fixture
def stubbed() -> Iterator[tuple[CognitoIdentityProvider, Stubber]]:
    client = boto3.client(
        "cognito-idp",
        region_name=REGION,
        aws_access_key_id="stub",
        aws_secret_access_key="stub",  # noqa: S106 - Stubber: nothing leaves the process
    )
    with Stubber(client) as stubber:
        yield CognitoIdentityProvider(client, CLIENT_ID), stubber
        stubber.assert_no_pending_responses()


def authentication_result(refresh: bool = True) -> dict:
    result = {"IdToken": "id.token.jwt", "AccessToken": "a.b.c", "ExpiresIn": 900}
    if refresh:
        result["RefreshToken"] = "refresh-token"
    return {"AuthenticationResult": {**result, "TokenType": "Bearer"}}


def test_mfa_setup_challenge_enrols_then_signs_in(stubbed) -> None:
    provider, stub = stubbed
    # Given a pool that requires MFA and a user without an authenticator
    stub.add_response(
        "initiate_auth",
        {
            "ChallengeName": "MFA_SETUP",
            "Session": "s1" * 20,
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": SUB,
                "MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]',
            },
        },
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": EMAIL, "PASSWORD": PASSWORD},
        },
    )
    mfa_enrolment(
        stub,
        client_id=CLIENT_ID,
        username=SUB,
        secret=SECRET,
        sessions=("s1" * 20, "s2" * 20, "s3" * 20),
        device_name=ISSUER_NAME,
        result=authentication_result(),
    )

    # When they sign in, enrol and confirm the first code
    challenge = provider.sign_in(EMAIL, PASSWORD)
    assert challenge == Challenge("MFA_SETUP", challenge.session)
    setup = provider.start_mfa_setup(challenge.session)
    tokens = provider.confirm_mfa_setup(setup.session, " 123456 ")

    # Then the authenticator got the seed under the platform's name and the email
    assert isinstance(setup, MfaSetup) and setup.secret == SECRET
    parsed = pyotp.parse_uri(setup.otpauth_uri)
    assert parsed.secret == SECRET
    assert parsed.issuer == ISSUER_NAME and parsed.name == EMAIL
    # And the sign-in ends with the ID token as bearer
    assert tokens == TokenSet("id.token.jwt", "refresh-token", 900)


def test_a_failed_first_code_does_not_finish_the_setup(stubbed) -> None:
    provider, stub = stubbed
    stub.add_response(
        "initiate_auth",
        {"ChallengeName": "MFA_SETUP", "Session": "s1" * 20, "ChallengeParameters": {}},
    )
    stub.add_response("verify_software_token", {"Status": "ERROR", "Session": "s2" * 20})
    challenge = provider.sign_in(EMAIL, PASSWORD)
    with pytest.raises(Unauthenticated, match="code is not right"):
        provider.confirm_mfa_setup(challenge.session, "654321")


def test_the_challenge_names_the_user_by_email_when_cognito_gives_no_id(stubbed) -> None:
    provider, stub = stubbed
    stub.add_response(
        "initiate_auth",
        {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s1" * 20, "ChallengeParameters": {}},
    )
    stub.add_response(
        "respond_to_auth_challenge",
        authentication_result(),
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": "s1" * 20,
            "ChallengeResponses": {"USERNAME": EMAIL, "SOFTWARE_TOKEN_MFA_CODE": "123456"},
        },
    )
    challenge = provider.sign_in(EMAIL, PASSWORD)
    assert challenge.name == "MFA"
    assert provider.answer_mfa(challenge.session, "123456").access_token == "id.token.jwt"


def test_sign_out_revokes_the_refresh_token(stubbed) -> None:
    provider, stub = stubbed
    stub.add_response("revoke_token", {}, {"Token": "refresh-token", "ClientId": CLIENT_ID})
    provider.sign_out("refresh-token")


@pytest.mark.parametrize("code", ["UnsupportedTokenTypeException", "UnauthorizedException"])
def test_signing_out_a_token_that_is_not_ours_is_done_already(stubbed, code) -> None:
    provider, stub = stubbed
    stub.add_client_error("revoke_token", service_error_code=code, http_status_code=400)
    provider.sign_out("an-access-token-by-mistake")


def test_a_session_that_is_not_ours_is_refused_without_asking_cognito(stubbed) -> None:
    provider, _ = stubbed  # no responses queued: any call would fail the stub
    for forged in ("not-base64-json!", "eyJmb28iOiAxfQ", ""):
        with pytest.raises(Unauthenticated, match="session has ended"):
            provider.answer_mfa(forged, "123456")


def test_enrolling_with_the_bearer_token_is_refused_with_a_reason(stubbed) -> None:
    provider, _ = stubbed
    with pytest.raises(PermanentError, match="while signing in"):
        provider.start_mfa_setup("header.payload.signature")


def test_a_bearer_token_with_a_code_still_cannot_replace_an_authenticator(stubbed) -> None:
    # Cognito's AssociateSoftwareToken with an access token would start a new secret for a
    # user who has one: the adapter never calls it with a bearer (no responses are queued).
    provider, _ = stubbed
    with pytest.raises(PermanentError, match="while signing in"):
        provider.start_mfa_setup("header.payload.signature", "123456")


def test_signing_out_ends_the_users_id_tokens_too(stubbed) -> None:
    client, stub = stubbed[0]._cognito, stubbed[1]
    revocations = RecordedRevocations()
    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    provider = CognitoIdentityProvider(
        client, CLIENT_ID, revocations=revocations, clock=lambda: now
    )
    org = uuid.uuid4()
    id_token = jwt.encode({"sub": SUB, "custom:organization_id": str(org)}, "k" * 32)
    # Given Cognito names the refresh token's user (a refresh with it) ...
    stub.add_response(
        "initiate_auth",
        {"AuthenticationResult": {"IdToken": id_token, "AccessToken": "a.b.c", "ExpiresIn": 900}},
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": "refresh-token"},
        },
    )
    # ... when they sign out, the refresh token is revoked in Cognito
    stub.add_response("revoke_token", {}, {"Token": "refresh-token", "ClientId": CLIENT_ID})
    provider.sign_out("refresh-token")
    # Then the ID tokens issued until now are recorded as ended (API Gateway would take them)
    assert revocations.revoked == [(org, uuid.UUID(SUB))]


def test_signing_out_everywhere_revokes_every_refresh_token_and_ends_the_tokens(stubbed) -> None:
    client, stub = stubbed[0]._cognito, stubbed[1]
    revocations = RecordedRevocations()
    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
    provider = CognitoIdentityProvider(
        client,
        CLIENT_ID,
        user_pool_id="eu-west-1_Pool",
        revocations=revocations,
        clock=lambda: now,
    )
    org = uuid.uuid4()
    stub.add_response(
        "admin_user_global_sign_out", {}, {"UserPoolId": "eu-west-1_Pool", "Username": SUB}
    )
    provider.sign_out_everywhere(org, uuid.UUID(SUB))
    assert revocations.revoked == [(org, uuid.UUID(SUB))]


def test_signing_out_a_refresh_token_cognito_no_longer_takes_records_nothing(stubbed) -> None:
    client, stub = stubbed[0]._cognito, stubbed[1]
    revocations = RecordedRevocations()
    provider = CognitoIdentityProvider(client, CLIENT_ID, revocations=revocations)
    stub.add_client_error("initiate_auth", service_error_code="NotAuthorizedException")
    stub.add_response("revoke_token", {})
    provider.sign_out("revoked-already")
    assert revocations.revoked == []


@pytest.mark.parametrize(
    ("operation", "code", "expected", "message"),
    [
        ("sign_in", "UserNotFoundException", Unauthenticated, "email or password"),
        ("sign_in", "NotAuthorizedException", Unauthenticated, "email or password"),
        ("sign_in", "PasswordResetRequiredException", Unauthenticated, "email or password"),
        ("sign_in", "TooManyRequestsException", TransientError, "busy"),
        ("sign_in", "InvalidParameterException", PermanentError, "not valid"),
        ("sign_in", "InternalErrorException", TransientError, "busy"),
        ("answer_mfa", "CodeMismatchException", Unauthenticated, "code is not right"),
        ("answer_mfa", "ExpiredCodeException", Unauthenticated, "session has ended"),
        ("answer_mfa", "NotAuthorizedException", Unauthenticated, "session has ended"),
        ("refresh", "NotAuthorizedException", Unauthenticated, "expired"),
        ("refresh", "LimitExceededException", TransientError, "busy"),
        ("answer_mfa", "TooManyFailedAttemptsException", TooManyRequests, "Wait 60 s"),
        ("sign_out", "ForbiddenException", PermanentError, "refused"),
        ("sign_out", "TooManyRequestsException", TransientError, "busy"),
    ],
)
def test_cognito_errors_become_domain_errors(stubbed, operation, code, expected, message) -> None:
    provider, stub = stubbed
    status = 500 if code == "InternalErrorException" else 400
    cognito_operation = {
        "sign_in": "initiate_auth",
        "refresh": "initiate_auth",
        "answer_mfa": "respond_to_auth_challenge",
        "sign_out": "revoke_token",
    }[operation]
    arguments: tuple = (EMAIL, PASSWORD) if operation == "sign_in" else ("refresh-token",)
    if operation == "answer_mfa":
        arguments = (mfa_challenge(provider, stub).session, "123456")
    stub.add_client_error(cognito_operation, service_error_code=code, http_status_code=status)

    with pytest.raises(expected, match=message) as raised:
        getattr(provider, operation)(*arguments)

    if expected is Unauthenticated:
        # Our sentence for people, never Cognito's code or wording
        assert type(raised.value) is Unauthenticated
        assert code not in str(raised.value)


def mfa_challenge(provider: CognitoIdentityProvider, stub: Stubber) -> Challenge:
    stub.add_response(
        "initiate_auth",
        {
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": "s1" * 20,
            "ChallengeParameters": {"USER_ID_FOR_SRP": SUB},
        },
    )
    challenge = provider.sign_in(EMAIL, PASSWORD)
    assert isinstance(challenge, Challenge)
    return challenge


# --- the composition root's factory --------------------------------------------------------


def test_factory_needs_the_pool_and_client_and_uses_the_pools_region() -> None:
    with pytest.raises(ConfigurationError, match="COACH_USER_POOL_ID"):
        cognito_identity_provider(SimpleNamespace(user_pool_id=None, user_pool_client_id="c"))
    provider = cognito_identity_provider(
        SimpleNamespace(user_pool_id="eu-central-1_AbCdEf123", user_pool_client_id="client")
    )
    assert provider._cognito.meta.region_name == "eu-central-1"


def test_a_new_password_leads_to_mfa_setup_where_mfa_is_required(stubbed) -> None:
    provider, stub = stubbed
    # Given a pool that requires MFA and a user with a temporary password
    stub.add_response(
        "initiate_auth",
        {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": "s1" * 20,
            "ChallengeParameters": {"USER_ID_FOR_SRP": SUB, "requiredAttributes": "[]"},
        },
    )
    new_password_then_mfa_setup(
        stub,
        client_id=CLIENT_ID,
        username=SUB,
        new_password="Chosen-by-me-2026!",
        session="s1" * 20,
        next_session="s2" * 20,
    )
    stub.add_response(
        "associate_software_token",
        {"SecretCode": SECRET, "Session": "s3" * 20},
        {"Session": "s2" * 20},
    )

    # When they choose a password, the next step is enrolling an authenticator
    challenge = provider.sign_in(EMAIL, PASSWORD)
    assert challenge.name == "NEW_PASSWORD_REQUIRED"
    next_step = provider.answer_new_password(challenge.session, "Chosen-by-me-2026!")
    assert isinstance(next_step, Challenge) and next_step.name == "MFA_SETUP"

    # Then enrolment starts from that challenge's session, under the user's email
    setup = provider.start_mfa_setup(next_step.session)
    assert pyotp.parse_uri(setup.otpauth_uri).name == EMAIL


def test_a_new_password_the_policy_refuses_is_a_weak_password(stubbed) -> None:
    provider, stub = stubbed
    stub.add_response(
        "initiate_auth",
        {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s1" * 20, "ChallengeParameters": {}},
    )
    stub.add_client_error(
        "respond_to_auth_challenge", "InvalidPasswordException", http_status_code=400
    )
    challenge = provider.sign_in(EMAIL, PASSWORD)
    with pytest.raises(WeakPassword, match="password policy"):
        provider.answer_new_password(challenge.session, "all-lowercase-long")
