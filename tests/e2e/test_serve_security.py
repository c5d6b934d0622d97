"""API keys and security events through the real `coach serve`: an admin makes a key over
HTTP, an integration uses it, revocation ends it; a burst of refusals to one user prints a
warning line, and `coach security events` reads the counts back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coaching.api.security_events import BURSTS
from tests.e2e.serve_harness import ServeProcess, running_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    # An operator's quieter log level must not silence the security events it counts.
    home = tmp_path_factory.mktemp("coach-serve-security")
    with running_server(home, POWERTOOLS_LOG_LEVEL="ERROR") as serve:
        yield serve


def call(server: ServeProcess, method: str, path: str, token: str, **kwargs) -> httpx.Response:
    return httpx.request(
        method,
        f"http://127.0.0.1:{server.port}{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        **kwargs,
    )


def test_an_integration_uses_its_key_until_it_is_revoked(server):
    # Given an admin making a key over HTTP
    made = call(
        server,
        "POST",
        "/v1/api-keys",
        server.token,
        json={"name": "CRM", "scopes": ["sessions:read"]},
    )
    assert made.status_code == 201, made.text
    key = made.json()["key"]

    # Then the key reads sessions, and nothing outside its scope
    assert call(server, "GET", "/v1/sessions", key).status_code == 200
    assert call(server, "GET", "/v1/organization", key).status_code == 403
    assert call(server, "GET", "/v1/api-keys", key).status_code == 403

    # And once revoked it is refused at the gateway
    revoked = call(server, "DELETE", f"/v1/api-keys/{made.json()['id']}", server.token)
    assert revoked.status_code == 204
    assert call(server, "GET", "/v1/sessions", key).status_code == 401


def test_a_burst_of_refusals_to_one_user_is_noticed_and_counted(server):
    # Given the support demo account asking for client data again and again
    denied = next(b for b in BURSTS if b.name == "DeniedToOneCaller")
    support = server.sign_in("support@example.com")
    for _ in range(denied.threshold):
        assert call(server, "GET", "/v1/sessions", support).status_code == 403

    # Then `coach serve` prints one warning line naming the burst
    server.wait_for(
        lambda: "security alarm DeniedToOneCaller" in server.stderr, "the security warning"
    )
    assert server.stderr.count("security alarm DeniedToOneCaller") == 1
    assert support not in server.stderr

    # And `coach security events` reads the counts back
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env["COACH_HOME"] = str(server.home)
    coach = Path(sys.executable).with_name("coach")
    done = subprocess.run(  # noqa: S603 - our own command
        [coach, "security", "events", "--json"],
        env=env,
        cwd=server.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["counts"]["forbidden"] >= denied.threshold
    assert [a["alarm"] for a in report["alarms"]].count("DeniedToOneCaller") == 1
    assert report["alarms"][0]["actor"].startswith("user:")
