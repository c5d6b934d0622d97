"""The session's local platform, for test helpers that are not fixtures.

tests/conftest.py starts one platform per test session and hands it here; helpers such as
``call_api`` read its ports (and the API built over them) from here, and tests that need
other settings swap the API for one over changed settings with ``settings_changed``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from coaching.api.app import build_app
from local_runtime.platform import LocalPlatform, LocalPorts

_platform: list[LocalPlatform] = []
_api: list[APIGatewayRestResolver] = []


def started(platform: LocalPlatform) -> None:
    _platform[:] = [platform]
    _api[:] = [build_app(platform.ports)]


def is_started() -> bool:
    return bool(_platform)


def local_platform() -> LocalPlatform:
    assert _platform, "the `platform` fixture has not started the local platform"
    return _platform[0]


def ports() -> LocalPorts:
    return local_platform().ports


def api() -> APIGatewayRestResolver:
    """The REST API over the session's ports (or over changed settings, see below)."""
    local_platform()
    return _api[-1]


@contextmanager
def serving(changed: LocalPorts) -> Iterator[LocalPorts]:
    """Within the block, ``api()`` (and ``api_handler``) serve over ``changed``."""
    _api.append(build_app(changed))
    try:
        yield changed
    finally:
        _api.pop()


def settings_changed(**changes: Any):
    """The session's ports with changed settings, served within the block."""
    return serving(ports().with_settings(**changes))


def ports_replaced(**replacements: Any):
    """The session's ports with some replaced (``dependencies=...``), served in the block."""
    changed = copy.copy(ports())
    changed.__dict__.update(replacements)
    return serving(changed)


def api_handler(event: dict, context: Any) -> dict:
    """The API Lambda's handler over ``api()``: what the local gateway calls in tests."""
    from functions.api.handler import lambda_handler

    return lambda_handler(event, context, app=api())
