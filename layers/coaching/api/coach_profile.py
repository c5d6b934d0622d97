"""The signed-in coach's own profile: name, voice for emails, notification preferences."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.domain.clients import CoachProfile, CoachProfileUpdate
from coaching.domain.errors import NotFound
from coaching.domain.identity import Principal

router = APIGatewayRouter()

_NO_COACH_RECORD = "Your sign-in has no coach record, so there is no coach profile to show."
_HINT = "Coach profiles belong to coaches; an admin who also coaches needs a coach record."


@router.get(
    "/v1/coach-profile",
    summary="The signed-in coach's profile",
    responses=documented(HTTPStatus.NOT_FOUND, model=CoachProfile),
)
def get_coach_profile() -> dict:
    principal = client_data_reader(router)
    _, profiles = ports_of(router).client_ports
    profile = profiles.get_profile(principal.organization_id, _coach_id(principal))
    return _view(_found(profile))


@router.put(
    "/v1/coach-profile",
    summary="Replace the signed-in coach's name, voice profile and notification preferences",
    responses=documented(HTTPStatus.NOT_FOUND, model=CoachProfile),
)
def put_coach_profile(body: Annotated[CoachProfileUpdate, Body()]) -> dict:
    principal = client_data_reader(router)
    coach_id = _coach_id(principal)
    _, profiles = ports_of(router).client_ports
    profile = _found(profiles.update_profile(principal.organization_id, coach_id, body))
    audit(
        router,
        principal,
        "update",
        "coach",
        coach_id,
        fields=["name", "voice_profile", "notification_preferences"],
    )
    return _view(profile)


def _coach_id(principal: Principal) -> uuid.UUID:
    if principal.coach_id is None:
        raise NotFound(_NO_COACH_RECORD, hint=_HINT)
    return principal.coach_id


def _found(profile: CoachProfile | None) -> CoachProfile:
    if profile is None:
        raise NotFound(_NO_COACH_RECORD, hint=_HINT)
    return profile


def _view(profile: CoachProfile) -> dict:
    return profile.model_dump(mode="json")
