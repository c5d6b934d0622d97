"""One structured log record per failed sign-in attempt, so that bursts can be counted and
alarmed on (a CloudWatch metric filter in AWS, the local logs in `coach serve`).

The record is a Powertools JSON log line at WARNING, one of the security events of
api/security_events.py (its fields: ``security_event``, ``status``, ``method``, ``route``,
``source_ip``, no actor); besides those it carries:

- ``security_event``: ``"sign_in_failed"``
  (a metric filter: ``{ $.security_event = "sign_in_failed" }``)
- ``step``: ``"password"`` (POST /v1/auth/login), ``"mfa"`` (POST /v1/auth/mfa),
  ``"mfa_setup"`` (POST /v1/auth/mfa/setup) or ``"mfa_setup_confirm"``
  (POST /v1/auth/mfa/setup/confirm) or ``"new_password"`` (POST /v1/auth/new-password)
- ``reason``: ``"bad_credentials"`` (unknown email, wrong password, disabled user: alike),
  ``"bad_code"`` (a wrong, reused or expired code or challenge session) or
  ``"code_required"`` (enrolling an authenticator with an access token alone: replacing one
  without its current code, or adding a first one without the password); an attempt
  refused by a limit before trying is a ``rate_limited`` event instead (the 429's record)
- ``account``: on the password step only, the first 16 hex digits of HMAC-SHA256 of the
  lower-cased email under the log key (``COACH_SIGN_IN_LOG_KEY``; locally derived from the
  token signing key; absent when no key is set), so that one account's failures can be told
  from many accounts' (spraying) without the email in the logs

Never the email itself, the password, a code, a token or a session.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any, Literal

from coaching.api.context import ports_of
from coaching.api.security_events import LOG_MESSAGE, SIGN_IN_FAILED, security_record
from coaching.domain.errors import Forbidden, Unauthenticated
from coaching.observability import logger

Step = Literal["password", "mfa", "mfa_setup", "mfa_setup_confirm", "new_password"]


_ROUTES: dict[str, str] = {
    "password": "/v1/auth/login",
    "mfa": "/v1/auth/mfa",
    "mfa_setup": "/v1/auth/mfa/setup",
    "mfa_setup_confirm": "/v1/auth/mfa/setup/confirm",
    "new_password": "/v1/auth/new-password",
}


@contextmanager
def failures_logged(
    router: Any, step: Step, source_ip: str, email: str | None = None
) -> Iterator[None]:
    """Logs one record if the block refuses the attempt, then lets the error go on. The
    email's hash is keyed with the sign-in log key of ``router``'s app."""
    try:
        yield
    except Unauthenticated:
        reason = "bad_credentials" if step == "password" else "bad_code"
        _log(step, HTTPStatus.UNAUTHORIZED, reason, source_ip, _account(router, email))
        raise
    except Forbidden:
        _log(step, HTTPStatus.FORBIDDEN, "code_required", source_ip, _account(router, email))
        raise


def account_hash(email: str, key: bytes) -> str:
    return hmac.new(key, email.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _account(router: Any, email: str | None) -> str | None:
    key = ports_of(router).sign_in_log_key
    return account_hash(email, key) if email is not None and key is not None else None


def _log(step: Step, status: int, reason: str, source_ip: str, account: str | None) -> None:
    record = security_record(
        event=SIGN_IN_FAILED,
        status=status,
        method="POST",
        path=_ROUTES[step],
        actor=None,
        organization_id=None,
        source_ip=source_ip,
    )
    record |= {"step": step, "reason": reason}
    if account is not None:
        record["account"] = account
    logger.warning(LOG_MESSAGE, extra=record)
