"""Explicit wiring: an API built over some ports answers from those ports, and only those,
however many apps the process has built (the route modules' routers are shared)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from coaching.api.app import build_app
from coaching.composition import Ports, build_ports
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError
from coaching.domain.identity import Role
from functions.api.handler import lambda_handler
from tests.api_calls import CONTEXT, api_event, claims_for


class _Organizations:
    def __init__(self, mfa_required: bool) -> None:
        self._settings = {"mfa_required": mfa_required}

    def organization_exists(self, org: uuid.UUID) -> bool:
        return True

    def organization_settings(self, org: uuid.UUID) -> dict[str, Any]:
        return self._settings


class _NoLimit:
    def hit(self, org, key, limit, window_seconds=60) -> int:
        return 0


class _NoRevocations:
    def tokens_valid_after(self, org, user_id):
        return None


def _ports(mfa_required: bool) -> Ports:
    """Ports with fakes where GET /v1/organization reads; nothing else is ever built."""
    ports = build_ports(Settings(database_url=None))
    # A cached port is an instance attribute: a fake put there is what the app uses.
    ports.__dict__.update(
        organizations=_Organizations(mfa_required),
        rate_limiter=_NoLimit(),
        token_revocations=_NoRevocations(),
    )
    return ports


def _organization_settings(app) -> dict:
    org = uuid.uuid4()
    event = api_event("GET", "/v1/organization", claims_for(org, Role.ADMIN))
    result = lambda_handler(event, CONTEXT, app=app)
    assert result["statusCode"] == 200, result["body"]
    return json.loads(result["body"])["settings"]


def test_each_app_answers_from_its_own_ports_whichever_was_built_last():
    # Given two apps over different ports, built one after the other
    strict = build_app(_ports(mfa_required=True))
    relaxed = build_app(_ports(mfa_required=False))
    # When each is asked, the first-built one first
    # Then each answers from its own ports
    assert _organization_settings(strict)["mfa_required"] is True
    assert _organization_settings(relaxed)["mfa_required"] is False
    assert _organization_settings(strict)["mfa_required"] is True


def test_building_ports_touches_nothing():
    # Given settings naming no database and no AWS resources
    ports = build_ports(Settings(database_url=None, runtime="aws"))
    # Then building the ports opened nothing: adapters come on first use
    assert ports.settings.runtime == "aws"
    assert "database" not in ports.__dict__


def test_unsubscribe_links_in_aws_need_a_configured_key():
    # Each function instance would otherwise sign with a key of its own
    with pytest.raises(ConfigurationError, match="COACH_UNSUBSCRIBE_KEY"):
        _ = build_ports(Settings(database_url=None, runtime="aws")).unsubscribe_links
    configured = build_ports(
        Settings(database_url=None, runtime="aws", unsubscribe_key="k" * 32)
    ).unsubscribe_links
    org, client = uuid.uuid4(), uuid.uuid4()
    assert configured.client_of(configured.token(org, client)) == (org, client)
