"""IdentityProvider on a Cognito user pool (the app client of cdk/identity.py).

The bearer token handed out (``TokenSet.access_token``) is Cognito's **ID token**, not its
access token: API Gateway's Cognito user pool authorizer passes the verified token's claims to
the API, and only the ID token carries the custom attributes the API reads
(``custom:organization_id``, ``custom:role``, ``custom:coach_id``).

MFA enrolment therefore works through the sign-in challenge only: Cognito's
AssociateSoftwareToken takes an MFA_SETUP challenge's session or an *access* token, and a
signed-in user holds an ID token. With the pool's MFA set to REQUIRED, a user without an
authenticator gets the MFA_SETUP challenge at sign-in and enrols there; with OPTIONAL, users
are not asked to enrol.

Re-enrolment therefore never happens with a bearer token here, code or no code: a signed-in
user who already has an authenticator cannot replace it through this API (the local
provider asks for the current code; here an admin resets it, DELETE /v1/users/{id}/mfa).
Cognito itself keeps the old authenticator until VerifySoftwareToken accepts the new one's
first code, and the adapter answers MFA_SETUP only after that verification succeeded.

Ending a sign-in: RevokeToken ends the refresh token and Cognito's access tokens, but the ID
token this API takes stays valid to any verifier of signature and expiry (API Gateway's
authorizer too) until it expires. So sign_out first learns whose token it is (a refresh with
it: Cognito answers with an ID token naming the user), revokes it, then records the moment in
``TokenRevocations``, which the API checks on every signed-in request.

Cognito's challenge answers must name the user, while the port passes only the session: the
session handed out wraps Cognito's session with the user's name (Cognito's internal user id
and the email, for the authenticator's label). Changing the name cannot hijack anything:
Cognito binds its session to its user and rejects the pair otherwise.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid

import pyotp
from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.domain.errors import (
    CoachingError,
    ConfigurationError,
    Forbidden,
    NotFound,
    PermanentError,
    TooManyRequests,
    TransientError,
    Unauthenticated,
    WeakPassword,
)
from coaching.ports.identity import Challenge, MfaSetup, TokenSet
from coaching.ports.token_revocations import TokenRevocations

ISSUER_NAME = "Coaching Platform"  # the authenticator app's label, as the local provider's
_CHALLENGES = {
    "SOFTWARE_TOKEN_MFA": "MFA",
    "MFA_SETUP": "MFA_SETUP",
    # An admin-created user's temporary password (AdminCreateUser): they choose their own.
    "NEW_PASSWORD_REQUIRED": "NEW_PASSWORD_REQUIRED",
}
_WRONG_CREDENTIALS = ("The email or password is not right.", "Check them and try again.")
_SESSION_ENDED = ("The session has ended.", "Sign in again.")
_SIGN_IN_EXPIRED = ("Your sign-in has expired.", "Sign in again.")
_WRONG_CURRENT = ("The current password is not right.", "Type the password you signed in with.")
_WRONG_CODE = ("The code is not right.", "Use the current code and try again.")
# Unknown email, wrong password, disabled or unconfirmed user, password reset pending: all
# answer alike (no account discovery).
_NOT_AUTHORIZED = {
    "NotAuthorizedException",
    "UserNotFoundException",
    "UserNotConfirmedException",
    "PasswordResetRequiredException",
}
_POLICY_REFUSED = "InvalidPasswordException"
_WRONG_CODE_ERRORS = {"CodeMismatchException", "EnableSoftwareTokenMFAException"}
_BUSY = {"TooManyRequestsException", "LimitExceededException"}
# Too many wrong codes: Cognito locks the action for a while, doubling each time.
_LOCKED_OUT = "TooManyFailedAttemptsException"
LOCKOUT_RETRY_SECONDS = 60
# RevokeToken on a token that is not this client's refresh token: nothing of ours to end
# (the local provider, too, ignores refresh tokens it does not know).
_NOTHING_TO_REVOKE = {"UnsupportedTokenTypeException", "UnauthorizedException"}


class CognitoIdentityProvider:
    def __init__(
        self,
        client,
        client_id: str,
        *,
        user_pool_id: str | None = None,
        revocations: TokenRevocations | None = None,
        clock=None,
    ) -> None:
        """``user_pool_id``: for the admin calls (MFA reset); ``revocations``: where ended
        sign-ins are recorded (without it, sign_out only revokes in Cognito)."""
        self._cognito = client
        self._client_id = client_id
        self._pool_id = user_pool_id
        self._revocations = revocations
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    def sign_in(self, email: str, password: str) -> TokenSet | Challenge:
        email = email.strip()
        response = self._call(
            "initiate_auth",
            _WRONG_CREDENTIALS,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        return _outcome(response, email, email)

    def answer_mfa(self, session: str, code: str) -> TokenSet:
        username, _, cognito_session = _unwrap(session)
        response = self._call(
            "respond_to_auth_challenge",
            _SESSION_ENDED,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=cognito_session,
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code.strip()},
        )
        return _tokens(response)

    def answer_new_password(self, session: str, new_password: str) -> TokenSet | Challenge:
        username, email, cognito_session = _unwrap(session)
        try:
            response = self._cognito.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=cognito_session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _POLICY_REFUSED:
                raise WeakPassword(
                    "The password policy refuses this password.",
                    hint="Use at least 12 characters with upper and lower case, a digit and "
                    "a symbol, and none of your last five passwords.",
                ) from None
            raise _translated(error, "respond_to_auth_challenge", _SESSION_ENDED) from error
        except BotoCoreError as error:
            raise _translated(error, "respond_to_auth_challenge", _SESSION_ENDED) from error
        return _outcome(response, username, email)

    def start_mfa_setup(
        self, session: str, current_code: str | None = None, password: str | None = None
    ) -> MfaSetup:
        if session.count(".") == 2:
            # A JWT: the caller's bearer, Cognito's ID token, which Cognito does not accept here.
            raise PermanentError(
                "An authenticator is enrolled while signing in with this sign-in service.",
                hint="Sign in again: when your organization requires MFA you are asked then.",
            )
        username, email, cognito_session = _unwrap(session)
        response = self._call(
            "associate_software_token", _SESSION_ENDED, Session=cognito_session, client_id=False
        )
        secret = response["SecretCode"]
        uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER_NAME)
        return MfaSetup(secret, uri, _wrap(username, email, response["Session"]))

    def confirm_mfa_setup(self, session: str, code: str) -> TokenSet:
        username, _, cognito_session = _unwrap(session)
        verified = self._call(
            "verify_software_token",
            _SESSION_ENDED,
            Session=cognito_session,
            UserCode=code.strip(),
            FriendlyDeviceName=ISSUER_NAME,
            client_id=False,
        )
        if verified.get("Status") != "SUCCESS":
            raise _unauthenticated(_WRONG_CODE)
        response = self._call(
            "respond_to_auth_challenge",
            _SESSION_ENDED,
            ChallengeName="MFA_SETUP",
            Session=verified["Session"],
            ChallengeResponses={"USERNAME": username},
        )
        return _tokens(response)

    def refresh(self, refresh_token: str) -> TokenSet:
        response = self._call(
            "initiate_auth",
            _SIGN_IN_EXPIRED,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
        # Cognito keeps the refresh token (no rotation with REFRESH_TOKEN_AUTH): reuse it.
        return _tokens(response, refresh_token=refresh_token)

    def sign_out(self, refresh_token: str) -> None:
        """Revokes the refresh token and the tokens issued from it, and records that the
        user's ID tokens issued until now no longer count."""
        user = self._owner_of(refresh_token) if self._revocations is not None else None
        try:
            self._cognito.revoke_token(Token=refresh_token, ClientId=self._client_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _NOTHING_TO_REVOKE:
                raise _translated(error, "revoke_token", _SIGN_IN_EXPIRED) from error
        except BotoCoreError as error:
            raise _translated(error, "revoke_token", _SIGN_IN_EXPIRED) from error
        if user is not None and self._revocations is not None:
            self._revocations.revoke_tokens(*user, self._now())

    def change_password(self, email: str, current_password: str, new_password: str) -> None:
        """ChangePassword needs Cognito's *access* token, which the API never hands out (its
        bearer is the ID token): signing in with the current password proves it and yields
        one. A user with an authenticator gets the MFA challenge instead (the password was
        right, the code is not asked twice): the pool's admin call sets the new one."""
        try:
            response = self._cognito.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email.strip(), "PASSWORD": current_password},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _NOT_AUTHORIZED:
                raise Forbidden(_WRONG_CURRENT[0], hint=_WRONG_CURRENT[1]) from None
            raise _translated(error, "initiate_auth", _WRONG_CREDENTIALS) from error
        except BotoCoreError as error:
            raise _translated(error, "initiate_auth", _WRONG_CREDENTIALS) from error
        access_token = response.get("AuthenticationResult", {}).get("AccessToken")
        try:
            if access_token:
                self._cognito.change_password(
                    PreviousPassword=current_password,
                    ProposedPassword=new_password,
                    AccessToken=access_token,
                )
            elif self._pool_id:
                self._cognito.admin_set_user_password(
                    UserPoolId=self._pool_id,
                    Username=email.strip(),
                    Password=new_password,
                    Permanent=True,
                )
            else:
                raise PermanentError("Changing the password needs the user pool's id.")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _POLICY_REFUSED:
                raise WeakPassword(
                    "The user pool's password policy refuses this password.",
                    hint="Use at least 12 characters with upper and lower case, a digit and "
                    "a symbol.",
                ) from None
            raise _translated(error, "change_password", _SIGN_IN_EXPIRED) from error
        except BotoCoreError as error:
            raise _translated(error, "change_password", _SIGN_IN_EXPIRED) from error

    def reset_mfa(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        """Turns the user's software token off and signs them out everywhere; with the pool's
        MFA required they get the MFA_SETUP challenge at their next sign-in."""
        if not self._pool_id:
            raise PermanentError("Resetting an authenticator needs the user pool's id.")
        username = str(user_id)  # Cognito's admin calls take the `sub` as the user's name
        try:
            found = self._cognito.admin_get_user(UserPoolId=self._pool_id, Username=username)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "UserNotFoundException":
                raise NotFound("There is no such user.") from None
            raise _translated(error, "admin_get_user", _SESSION_ENDED) from error
        except BotoCoreError as error:
            raise _translated(error, "admin_get_user", _SESSION_ENDED) from error
        attributes = {a["Name"]: a["Value"] for a in found.get("UserAttributes", [])}
        if attributes.get("custom:organization_id") != str(org):
            raise NotFound("There is no such user.")  # another organization's: never said
        self._call(
            "admin_set_user_mfa_preference",
            _SESSION_ENDED,
            client_id=False,
            UserPoolId=self._pool_id,
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )
        self._call(
            "admin_user_global_sign_out",
            _SESSION_ENDED,
            client_id=False,
            UserPoolId=self._pool_id,
            Username=username,
        )
        if self._revocations is not None:
            self._revocations.revoke_tokens(org, user_id, self._now())

    def sign_out_everywhere(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        """Cognito revokes every refresh token of the user (AdminUserGlobalSignOut); the
        revocation ends the access tokens, which Cognito's authorizer would still take."""
        if not self._pool_id:
            raise PermanentError("Signing out everywhere needs the user pool's id.")
        self._call(
            "admin_user_global_sign_out",
            _SESSION_ENDED,
            client_id=False,
            UserPoolId=self._pool_id,
            Username=str(user_id),  # Cognito's admin calls take the `sub` as the user's name
        )
        if self._revocations is not None:
            self._revocations.revoke_tokens(org, user_id, self._now())

    def _owner_of(self, refresh_token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(organization, user) of a live refresh token; None if Cognito no longer takes it."""
        try:
            response = self._call(
                "initiate_auth",
                _SIGN_IN_EXPIRED,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except Unauthenticated:
            return None  # revoked or expired already: no sign-in left to end
        id_token = response.get("AuthenticationResult", {}).get("IdToken", "")
        claims = _unverified_claims(id_token)
        try:
            return uuid.UUID(claims["custom:organization_id"]), uuid.UUID(claims["sub"])
        except (KeyError, ValueError, TypeError):
            return None

    def _call(
        self, operation: str, unauthorized: tuple[str, str], *, client_id: bool = True, **params
    ) -> dict:
        if client_id:
            params["ClientId"] = self._client_id
        try:
            return getattr(self._cognito, operation)(**params)
        except (ClientError, BotoCoreError) as error:
            raise _translated(error, operation, unauthorized) from error


def cognito_identity_provider(
    settings, revocations: TokenRevocations | None = None
) -> CognitoIdentityProvider:
    """The composition root's factory: COACH_USER_POOL_ID / COACH_USER_POOL_CLIENT_ID."""
    import boto3
    from botocore.config import Config

    if not settings.user_pool_id or not settings.user_pool_client_id:
        raise ConfigurationError("COACH_USER_POOL_ID and COACH_USER_POOL_CLIENT_ID must be set.")
    # The pool's region is part of its id: "<region>_<suffix>".
    region = settings.user_pool_id.split("_", 1)[0]
    # Well inside API Gateway's 29 s: a stuck call fails fast and the user tries again.
    config = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard"})
    return CognitoIdentityProvider(
        boto3.client("cognito-idp", region_name=region, config=config),
        settings.user_pool_client_id,
        user_pool_id=settings.user_pool_id,
        revocations=revocations,
    )


def _translated(error: Exception, operation: str, unauthorized: tuple[str, str]) -> CoachingError:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code in _NOT_AUTHORIZED:
        return _unauthenticated(unauthorized)
    refusal = _refusal_of_any_operation(code)
    return refusal if refusal is not None else translate(error, f"Sign-in ({operation})")


def _refusal_of_any_operation(code: str) -> CoachingError | None:
    """The domain error for a Cognito code that means the same whichever call answered it."""
    if code in _WRONG_CODE_ERRORS:
        return _unauthenticated(_WRONG_CODE)
    if code == "ExpiredCodeException":
        return _unauthenticated(_SESSION_ENDED)
    if code == _LOCKED_OUT:
        return TooManyRequests(LOCKOUT_RETRY_SECONDS)
    if code in _BUSY:
        return TransientError(f"Sign-in is busy ({code}).", hint="Wait a moment and try again.")
    if code == "InvalidParameterException":
        return PermanentError("The sign-in request is not valid.", hint="Check what was sent.")
    return None


def _outcome(response: dict, username: str, email: str) -> TokenSet | Challenge:
    """Tokens, or the challenge Cognito asks next, its session wrapped with the user's name."""
    challenge = response.get("ChallengeName")
    if challenge is None:
        return _tokens(response)
    if challenge in _CHALLENGES:
        username = response.get("ChallengeParameters", {}).get("USER_ID_FOR_SRP") or username
        session = _wrap(username, email, response["Session"])
        return Challenge(_CHALLENGES[challenge], session)  # type: ignore[arg-type]
    raise PermanentError(f"Sign-in asks for a step this API does not offer ({challenge}).")


def _tokens(response: dict, *, refresh_token: str | None = None) -> TokenSet:
    result = response.get("AuthenticationResult")
    if not result:
        raise PermanentError(
            f"Sign-in asks for a step this API does not offer ({response.get('ChallengeName')})."
        )
    return TokenSet(
        access_token=result["IdToken"],
        refresh_token=result.get("RefreshToken") or refresh_token or "",
        expires_in=int(result["ExpiresIn"]),
        token_type=result.get("TokenType", "Bearer"),
    )


def _unverified_claims(id_token: str) -> dict:
    """The claims of an ID token Cognito just handed us over TLS (no signature check needed:
    it never came from a caller). Empty if it is not a JWT."""
    try:
        payload = id_token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeError):
        return {}


def _unauthenticated(message_and_hint: tuple[str, str]) -> Unauthenticated:
    message, hint = message_and_hint
    return Unauthenticated(message, hint=hint)


def _wrap(username: str, email: str, cognito_session: str) -> str:
    document = json.dumps({"u": username, "e": email, "s": cognito_session}, separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode("utf-8")).decode("ascii").rstrip("=")


def _unwrap(session: str) -> tuple[str, str, str]:
    try:
        padded = session + "=" * (-len(session) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        return str(document["u"]), str(document["e"]), str(document["s"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise _unauthenticated(_SESSION_ENDED) from None
