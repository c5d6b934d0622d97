"""The organization's people (admins): list, add, change role, disable; a person's own
password; and the coaches an upload may name."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import principal_of, reader_and_visibility, require_role
from coaching.api.models.users import (
    AddedUserView,
    CoachList,
    PersonRole,
    UserList,
    UserView,
)
from coaching.domain.accounts import UserAccount
from coaching.domain.errors import Forbidden
from coaching.domain.identity import Role
from coaching.usecases.accounts import change_own_password as set_own_password
from coaching.usecases.user_admin import add_organization_user, change_user

router = APIGatewayRouter()


class NewUser(BaseModel):
    email: Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")]
    name: Annotated[str, Field(min_length=1, max_length=255)]
    role: PersonRole


class UserChange(BaseModel):
    """Only the fields sent change."""

    role: PersonRole | None = None
    disabled: bool | None = Field(
        default=None, description="true: they cannot sign in and their sign-ins end"
    )


class PasswordChange(BaseModel):
    current_password: Annotated[str, Field(min_length=1, max_length=1024)]
    new_password: Annotated[str, Field(min_length=1, max_length=1024)]


def _view(user: UserAccount) -> dict:
    return {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "mfa_enabled": user.mfa_enabled,
        "disabled": user.disabled_at is not None,
    }


def _people_only(principal) -> None:
    if principal.role is Role.SERVICE:
        raise Forbidden("People are managed by people, not by API keys.")


@router.get("/v1/users", summary="The organization's people", responses=documented(model=UserList))
def list_users() -> dict:
    principal = require_role(router, Role.ADMIN)
    _people_only(principal)
    users = ports_of(router).accounts.users(principal.organization_id)
    return {"items": [_view(user) for user in users]}


@router.post(
    "/v1/users",
    summary="Add a person with a role",
    responses=documented(HTTPStatus.CONFLICT, ok=HTTPStatus.CREATED, model=AddedUserView),
)
def add_user(person: Annotated[NewUser, Body()]):
    principal = require_role(router, Role.ADMIN)
    _people_only(principal)
    added = add_organization_user(
        ports_of(router).user_admin,
        principal.organization_id,
        email=person.email,
        name=person.name,
        role=Role(person.role),
    )
    audit(router, principal, "create", "user", added.user.id, role=person.role)
    body = {**_view(added.user), "temporary_password": added.temporary_password}
    return body, HTTPStatus.CREATED


@router.patch(
    "/v1/users/<user_id>",
    summary="Change a person's role, or disable or enable them (their sign-ins end)",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, model=UserView),
)
def update_user(
    user_id: Annotated[uuid.UUID, Path(description="the user's id")],
    change: Annotated[UserChange, Body()],
) -> dict:
    principal = require_role(router, Role.ADMIN)
    _people_only(principal)
    user = change_user(
        ports_of(router).user_admin,
        principal,
        user_id,
        role=Role(change.role) if change.role is not None else None,
        disabled=change.disabled,
    )
    sent = change.model_dump(exclude_unset=True, mode="json")
    audit(router, principal, "update", "user", user_id, **sent)
    return _view(user)


@router.post(
    "/v1/account/password",
    summary="Change your own password (the current one, then the new one); every sign-in ends",
    responses=documented(HTTPStatus.BAD_REQUEST, ok=HTTPStatus.NO_CONTENT),
)
def change_own_password(change: Annotated[PasswordChange, Body()]):
    principal = principal_of(router)
    _people_only(principal)
    ports = ports_of(router)
    set_own_password(
        ports.accounts,
        ports.identity_provider,
        principal,
        change.current_password,
        change.new_password,
    )
    audit(router, principal, "change_password", "user", principal.user_id)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.post(
    "/v1/account/sign-out-everywhere",
    summary="End all your sign-ins, on every device (this one too)",
    responses=documented(ok=HTTPStatus.NO_CONTENT),
)
def sign_out_everywhere():
    principal = principal_of(router)
    _people_only(principal)
    # Every refresh token ends in the identity provider, every access token issued until now
    # is refused, and the user's open sockets close (usecases/socket_sign_out.py).
    ports_of(router).identity_provider.sign_out_everywhere(
        principal.organization_id, principal.user_id
    )
    audit(router, principal, "sign_out_everywhere", "user", principal.user_id)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.get(
    "/v1/coaches",
    summary="The coaches you may upload a session for",
    responses=documented(model=CoachList),
)
def list_coaches() -> dict:
    principal, visibility = reader_and_visibility(router)
    coaches = ports_of(router).dependencies.coaches.coach_names(principal.organization_id)
    return {
        "items": [
            {"id": str(coach.id), "name": coach.name}
            for coach in coaches
            if visibility.allows(coach.id)
        ]
    }
