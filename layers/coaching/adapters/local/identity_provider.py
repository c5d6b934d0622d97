"""The local identity provider: argon2id password hashes, our own JWTs, TOTP second factors,
rotating refresh tokens. In AWS the Cognito adapter answers the same port."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from coaching.adapters.local.tokens import LocalTokens
from coaching.domain.accounts import UserAccount
from coaching.domain.errors import Forbidden, NotFound, Unauthenticated, WeakPassword
from coaching.ports.accounts import AccountPorts
from coaching.ports.identity import Challenge, MfaSetup, TokenSet
from coaching.ports.token_revocations import TokenRevocations

ISSUER_NAME = "Coaching Platform"
_WRONG_CREDENTIALS = "The email or password is not right."
_WRONG_CURRENT = "The current password is not right."
_MFA_CHALLENGE = "mfa"
_MFA_SETUP = "mfa_setup"
_MFA_CONFIRM = "mfa_confirm"
_NEW_PASSWORD = "new_password"  # noqa: S105 - a challenge purpose, not a password


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EndedSignIns:
    """Where ended sign-ins are recorded, and the one check of a token against them
    (usecases/token_revocation.py, handed in by the composition root)."""

    revocations: TokenRevocations
    still_signed_in: Callable[[dict[str, Any]], None]


class LocalIdentityProvider:  # noqa: PLR0904 - the IdentityProvider port, method for method
    def __init__(
        self,
        accounts: AccountPorts,
        tokens: LocalTokens,
        ended: EndedSignIns,
        *,
        refresh_days: int = 30,
        hasher: PasswordHasher | None = None,
        clock=None,
        authenticator_clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = accounts.users
        self._refresh_tokens = accounts.refresh_tokens
        self._organizations = accounts.organizations
        self._tokens = tokens
        self._revocations = ended.revocations
        self._still_signed_in = ended.still_signed_in
        self._refresh = dt.timedelta(days=refresh_days)
        self._hasher = hasher or PasswordHasher()
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        # The seconds TOTP steps are counted in: a test pins it to read codes without racing
        # a 30-second step's end.
        self._authenticator_clock = authenticator_clock
        # Unknown emails still cost one hash check: timing does not tell who has an account.
        self._decoy_hash = self._hasher.hash(secrets.token_hex(16))

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(password)

    # --- the port ----------------------------------------------------------------------
    def sign_in(self, email: str, password: str) -> TokenSet | Challenge:
        user = self._users.user_by_email(email.strip())
        if not self._password_matches(user, password) or user is None or user.disabled_at:
            raise Unauthenticated(_WRONG_CREDENTIALS, hint="Check them and try again.")
        if user.password_change_required:
            return Challenge("NEW_PASSWORD_REQUIRED", self._challenge(user, _NEW_PASSWORD))
        return self._past_the_password(user)

    def answer_mfa(self, session: str, code: str) -> TokenSet:
        user = self._user_of(*self._tokens.verify_challenge(session, _MFA_CHALLENGE)[:2])
        self._check_code(user, code)
        return self._signed_in(user)

    def answer_new_password(self, session: str, new_password: str) -> TokenSet | Challenge:
        """The person's own password in place of the temporary one an admin was shown (the
        API checked its length); then on as after any password (an authenticator next)."""
        user = self._user_of(*self._tokens.verify_challenge(session, _NEW_PASSWORD)[:2])
        if not user.password_change_required:  # a session answered already
            raise Unauthenticated("The session has ended.", hint="Sign in again.")
        if self._password_matches(user, new_password):
            raise WeakPassword(
                "The new password is the temporary one.",
                hint="Choose a password of your own, one the admin was not shown.",
            )
        self._users.update_user(
            user.organization_id,
            user.id,
            password_hash=self._hasher.hash(new_password),
            password_change_required=False,
        )
        return self._past_the_password(user)

    def start_mfa_setup(
        self, session: str, current_code: str | None = None, password: str | None = None
    ) -> MfaSetup:
        user, signed_in = self._user_for_setup(session)
        if user.mfa_enabled:
            # Replacing a working authenticator takes that authenticator: a stolen access
            # token alone must not give its holder a lasting second factor.
            if not current_code:
                raise Forbidden(
                    "This account already has an authenticator.",
                    hint="Send its current code as `code` to replace it, "
                    "or ask an admin to reset it.",
                )
            self._check_code(user, current_code)
        elif signed_in:
            # The first authenticator, added with an access token: the password proves it is
            # the owner, not someone holding a copied token who would lock them out.
            if not password:
                raise Forbidden(
                    "Adding an authenticator needs your password.",
                    hint="Send it as `password` with your access token.",
                )
            if not self._password_matches(user, password):
                raise Unauthenticated(_WRONG_CREDENTIALS, hint="Check it and try again.")
        # Kept apart until confirmed: the confirmed authenticator keeps working meanwhile.
        secret = pyotp.random_base32()
        self._users.update_user(user.organization_id, user.id, pending_mfa_secret=secret)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER_NAME)
        return MfaSetup(secret, uri, self._challenge(user, _MFA_CONFIRM))

    def confirm_mfa_setup(self, session: str, code: str) -> TokenSet:
        user = self._user_of(*self._tokens.verify_challenge(session, _MFA_CONFIRM)[:2])
        pending = user.pending_mfa_secret
        if not pending:
            raise Unauthenticated("MFA setup was not started.", hint="Start it again.")
        step = _matching_step(pending, code, self._authenticator_clock())
        if step is None:
            raise _wrong_code()
        # Only the secret that was checked is promoted (not one a later setup put there).
        if not self._users.confirm_pending_mfa(user.organization_id, user.id, pending, step):
            raise Unauthenticated("MFA setup was started again.", hint="Use the newest setup.")
        if user.mfa_enabled:
            # The authenticator changed: sign-ins made with the old one end here.
            self._end_sign_ins(user.organization_id, user.id)
        return self._signed_in(user)

    def reset_mfa(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        """An admin's reset: the user's authenticators are removed and their sign-ins end;
        they enrol again at their next sign-in (with the password)."""
        if self._users.user(org, user_id) is None:
            raise NotFound("There is no such user.")
        self._users.update_user(
            org,
            user_id,
            mfa_secret=None,
            pending_mfa_secret=None,
            mfa_enabled=False,
            mfa_last_step=None,
        )
        self._end_sign_ins(org, user_id)

    def sign_out_everywhere(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        self._end_sign_ins(org, user_id)

    def change_password(self, email: str, current_password: str, new_password: str) -> None:
        user = self._users.user_by_email(email.strip())
        if user is None or user.disabled_at or not self._password_matches(user, current_password):
            raise Forbidden(_WRONG_CURRENT, hint="Type the password you signed in with.")
        self._users.update_user(
            user.organization_id, user.id, password_hash=self._hasher.hash(new_password)
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        record, first_use = self._refresh_tokens.use_refresh_token(token_hash(refresh_token))
        expired = "Your sign-in has expired."
        if record is None or record.revoked_at is not None:
            raise Unauthenticated(expired, hint="Sign in again.")
        if not first_use:
            # A used token presented again: someone kept a copy. End the whole sign-in,
            # and the access tokens either holder has.
            self._refresh_tokens.revoke_family(record.organization_id, record.family_id)
            self._revocations.revoke_tokens(record.organization_id, record.user_id, self._now())
            raise Unauthenticated(expired, hint="Sign in again.")
        if record.expires_at <= self._now():
            raise Unauthenticated(expired, hint="Sign in again.")
        user = self._users.user(record.organization_id, record.user_id)
        if user is None or user.disabled_at:
            raise Unauthenticated(expired, hint="Sign in again.")
        return self._tokens_for(user, record.family_id)

    def sign_out(self, refresh_token: str) -> None:
        record, _ = self._refresh_tokens.use_refresh_token(token_hash(refresh_token))
        if record is not None:
            self._refresh_tokens.revoke_family(record.organization_id, record.family_id)
            self._revocations.revoke_tokens(record.organization_id, record.user_id, self._now())

    # --- for the local authorizer ------------------------------------------------------
    def verify(self, access_token: str) -> dict[str, str]:
        """The verified claims of an access token (Unauthenticated if expired or forged)."""
        return self._tokens.verify_access(access_token)

    # --- inside ------------------------------------------------------------------------
    def _password_matches(self, user: UserAccount | None, password: str) -> bool:
        try:
            return self._hasher.verify(user.password_hash if user else self._decoy_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _past_the_password(self, user: UserAccount) -> TokenSet | Challenge:
        """What follows a right password: the authenticator's code, enrolling one when the
        organization requires it, or the tokens."""
        if user.mfa_enabled:
            return Challenge("MFA", self._challenge(user, _MFA_CHALLENGE))
        if self._mfa_required(user):
            return Challenge("MFA_SETUP", self._challenge(user, _MFA_SETUP))
        return self._signed_in(user)

    def _mfa_required(self, user: UserAccount) -> bool:
        return bool(
            self._organizations.organization_settings(user.organization_id).get("mfa_required")
        )

    def _challenge(self, user: UserAccount, purpose: str) -> str:
        return self._tokens.issue_challenge(user.id, user.organization_id, purpose)

    def _user_of(self, user_id: uuid.UUID, org: uuid.UUID) -> UserAccount:
        user = self._users.user(org, user_id)
        if user is None or user.disabled_at:
            raise Unauthenticated("The session has ended.", hint="Sign in again.")
        return user

    def _user_for_setup(self, session: str) -> tuple[UserAccount, bool]:
        """The user enrolling, and whether by an access token (of their own accord) rather
        than an MFA_SETUP challenge's session (right after the password)."""
        try:
            user_id, org, _ = self._tokens.verify_challenge(session, _MFA_SETUP)
        except Unauthenticated:
            claims = self._tokens.verify_access(session)
            self._still_signed_in(claims)
            user_id, org = uuid.UUID(claims["sub"]), uuid.UUID(claims["custom:organization_id"])
            return self._user_of(user_id, org), True
        return self._user_of(user_id, org), False

    def _check_code(self, user: UserAccount, code: str) -> None:
        """The confirmed authenticator's code, each 30-second step usable once."""
        step = (
            _matching_step(user.mfa_secret, code, self._authenticator_clock())
            if user.mfa_secret
            else None
        )
        if step is None:
            raise _wrong_code()
        if not self._users.claim_mfa_step(user.organization_id, user.id, step):
            raise Unauthenticated("This code was already used.", hint="Wait for the next one.")

    def _end_sign_ins(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        """Every refresh token of the user stops working, and every access token issued so far."""
        self._refresh_tokens.revoke_user_refresh_tokens(org, user_id)
        self._revocations.revoke_tokens(org, user_id, self._now())

    def _signed_in(self, user: UserAccount) -> TokenSet:
        self._users.update_user(user.organization_id, user.id, last_login=self._now())
        return self._tokens_for(user, uuid.uuid4())

    def _tokens_for(self, user: UserAccount, family_id: uuid.UUID) -> TokenSet:
        refresh_token = secrets.token_urlsafe(32)
        self._refresh_tokens.save_refresh_token(
            user.organization_id,
            user_id=user.id,
            family_id=family_id,
            token_hash=token_hash(refresh_token),
            expires_at=self._now() + self._refresh,
        )
        return TokenSet(
            access_token=self._tokens.issue_access(user.claims()),
            refresh_token=refresh_token,
            expires_in=self._tokens.access_seconds,
        )


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is: the current 30-second step or the one either side
    (clock drift); None if none matches."""
    code = code.strip()
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        step = int(now // totp.interval) + offset
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _wrong_code() -> Unauthenticated:
    return Unauthenticated("The code is not right.", hint="Use the current code and try again.")
