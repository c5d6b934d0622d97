"""Sign-in routes: no token needed to reach them (API Gateway leaves /v1/auth/* open)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field

from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.models.auth import MfaEnrolment, SignInOutcome, Tokens
from coaching.api.sign_in_events import failures_logged
from coaching.domain.errors import TooManyRequests
from coaching.ports.identity import Challenge

router = APIGatewayRouter()

_Session = Annotated[str, Field(min_length=16, max_length=4096)]
_Code = Annotated[str, Field(pattern=r"^\d{6}$", description="the authenticator's 6 digits")]


class SignIn(BaseModel):
    email: Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class Refresh(BaseModel):
    refresh_token: Annotated[str, Field(min_length=16, max_length=4096)]


class MfaAnswer(BaseModel):
    session: _Session
    code: _Code


class NewPassword(BaseModel):
    session: _Session
    new_password: Annotated[str, Field(min_length=12, max_length=1024)]


class MfaSetupStart(BaseModel):
    session: Annotated[
        str,
        Field(
            min_length=16,
            max_length=4096,
            description="an MFA_SETUP challenge's session, or your access token",
        ),
    ]
    code: _Code | None = Field(
        default=None,
        description="your current authenticator's code: needed to replace an authenticator "
        "you already have (lost it? an admin resets it)",
    )
    password: Annotated[str, Field(min_length=1, max_length=1024)] | None = Field(
        default=None,
        description="your password: needed to add a first authenticator with your access "
        "token (not with an MFA_SETUP challenge's session)",
    )


@router.post(
    "/v1/auth/login",
    summary="Sign in with email and password",
    responses=documented(model=SignInOutcome),
)
def sign_in(credentials: Annotated[SignIn, Body()]) -> dict:
    with failures_logged(router, "password", _source(), credentials.email):
        _limit_attempts(credentials.email)
        _limit_address()
        outcome = ports_of(router).identity_provider.sign_in(
            credentials.email, credentials.password
        )
    if isinstance(outcome, Challenge):
        return {"challenge": outcome.name, "session": outcome.session}
    return asdict(outcome)


@router.post(
    "/v1/auth/refresh", summary="New tokens for a refresh token", responses=documented(model=Tokens)
)
def refresh(request: Annotated[Refresh, Body()]) -> dict:
    return asdict(ports_of(router).identity_provider.refresh(request.refresh_token))


@router.post(
    "/v1/auth/logout",
    summary="End this sign-in: the refresh token stops working",
    responses=documented(ok=HTTPStatus.NO_CONTENT),
)
def sign_out(request: Annotated[Refresh, Body()]):
    ports_of(router).identity_provider.sign_out(request.refresh_token)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.post(
    "/v1/auth/mfa",
    summary="Answer the MFA challenge with a code",
    responses=documented(model=Tokens),
)
def answer_mfa(answer: Annotated[MfaAnswer, Body()]) -> dict:
    with failures_logged(router, "mfa", _source()):
        _limit_attempts(answer.session)
        return asdict(ports_of(router).identity_provider.answer_mfa(answer.session, answer.code))


@router.post(
    "/v1/auth/new-password",
    summary="Answer NEW_PASSWORD_REQUIRED: replace a temporary password with your own",
    responses=documented(model=SignInOutcome),
)
def answer_new_password(answer: Annotated[NewPassword, Body()]) -> dict:
    with failures_logged(router, "new_password", _source()):
        _limit_attempts(answer.session)
        outcome = ports_of(router).identity_provider.answer_new_password(
            answer.session, answer.new_password
        )
    if isinstance(outcome, Challenge):
        return {"challenge": outcome.name, "session": outcome.session}
    return asdict(outcome)


@router.post(
    "/v1/auth/mfa/setup",
    summary="Start enrolling an authenticator app (TOTP)",
    responses=documented(model=MfaEnrolment),
)
def start_mfa_setup(request: Annotated[MfaSetupStart, Body()]) -> dict:
    with failures_logged(router, "mfa_setup", _source()):
        _limit_attempts(request.session)  # it checks the current code when one is enrolled
        setup = ports_of(router).identity_provider.start_mfa_setup(
            request.session, request.code, request.password
        )
        return asdict(setup)


@router.post(
    "/v1/auth/mfa/setup/confirm",
    summary="Confirm the authenticator with its first code",
    responses=documented(model=Tokens),
)
def confirm_mfa_setup(answer: Annotated[MfaAnswer, Body()]) -> dict:
    with failures_logged(router, "mfa_setup_confirm", _source()):
        _limit_attempts(answer.session)
        return asdict(
            ports_of(router).identity_provider.confirm_mfa_setup(answer.session, answer.code)
        )


def _source() -> str:
    return router.current_event.request_context.identity.source_ip or ""


def _limit_attempts(secret_or_email: str) -> None:
    """Guessing passwords or codes: a few tries per account (or session) and address."""
    digest = hashlib.sha256(f"{secret_or_email.lower()}|{_source()}".encode()).hexdigest()
    wait = ports_of(router).rate_limiter.hit(
        None, f"sign-in:{digest}", ports_of(router).settings.sign_in_attempts_per_minute
    )
    if wait:
        raise TooManyRequests(wait)


def _limit_address() -> None:
    """Password spraying: one address trying one password on many accounts, each of which
    stays under its own limit. Counted over every account, per address."""
    digest = hashlib.sha256(_source().encode()).hexdigest()
    limit = ports_of(router).settings.sign_in_attempts_per_address_per_minute
    wait = ports_of(router).rate_limiter.hit(None, f"sign-in-address:{digest}", limit)
    if wait:
        raise TooManyRequests(wait)
