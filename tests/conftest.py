"""Shared fixtures: the repository, the shared development data, one local platform."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from coaching.config import get_settings, reset_settings
from local_runtime.platform import LocalPlatform, start_local_platform
from tests import local_ports
from tests.authenticator_clock import AUTHENTICATOR_CLOCK

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COACH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


# One folder and one marker each (Makefile).
PARTS = ("unit", "integration", "infra", "e2e", "rehearsal", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test carries its folder's marker, so `-m` and the folders select the same parts."""
    for item in items:
        part = Path(item.path).relative_to(REPO_ROOT / "tests").parts[0]
        if part in PARTS and item.get_closest_marker(part) is None:
            item.add_marker(part)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared development data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _shared_logger_level() -> Iterator[None]:
    """A CLI command run in this process sets the shared logger's level for its run (as its
    own process would): put it back, so no test sees another's level."""
    from coaching.observability import logger

    level = logger.log_level
    yield
    logger.setLevel(level)


@pytest.fixture(scope="session")
def platform(tmp_path_factory) -> Iterator[LocalPlatform]:
    home = tmp_path_factory.mktemp("coach-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("COACH_HOME", str(home))
        env.setenv("COACH_DROPBOX", str(home / "dropbox"))
        env.delenv("COACH_DATABASE_URL", raising=False)
        # Every test's sign-in comes from the sample event's one address: the per-address
        # limit would count the whole suite. Its own tests set it low.
        env.setenv("COACH_SIGN_IN_ATTEMPTS_PER_ADDRESS_PER_MINUTE", "100000")
        reset_settings()
        local = start_local_platform(get_settings(), log_level="WARNING")
        local_ports.started(local)
        # TOTP codes are checked at the time the tests read them at (tests/authenticator_clock.py).
        env.setattr(local.ports.identity_provider, "_authenticator_clock", AUTHENTICATOR_CLOCK)
        # Retry waits are real sleeps in moto's interpreter: tests skip them.
        local.engine.retry_sleep = lambda seconds: None
        yield local
        local.close()
    reset_settings()


@pytest.fixture
def organization(platform: LocalPlatform) -> uuid.UUID:
    """A fresh organization per test, so tests never see each other's sessions."""
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"test {org}")
    return org


@pytest.fixture
def failing_step(platform: LocalPlatform):
    """Makes the bound handler of one pipeline step raise, then puts the real one back."""
    from local_runtime.pipeline import step_handler

    replaced: list[str] = []

    def make_fail(step: str, error: Exception) -> None:
        def broken(event, context):
            raise error

        platform.engine.set_handler(step, broken)
        replaced.append(step)

    yield make_fail
    for step in replaced:
        platform.engine.set_handler(step, step_handler(step, platform.deps))


@pytest.fixture(autouse=True)
def _shared_logger_level():
    """In-process `coach` commands set the shared logger's level (ERROR) as their process
    would; tests that read security records (WARNING) after them get it back."""
    from coaching.observability import logger

    level = logger.level
    yield
    logger.setLevel(level)
