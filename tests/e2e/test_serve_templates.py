"""Follow-up templates through a real `coach serve` (issue 9, holes 1 and 5): a template
written to stall the platform is refused with a 422 saying why, the server keeps answering
other users, and only an admin makes a template the organization's default."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.serve_harness import ServeProcess, running_server
from tests.hostile_templates import HOSTILE

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    with running_server(tmp_path_factory.mktemp("coach-serve-templates")) as serve:
        yield serve


def _post_template(server: ServeProcess, token: str, **fields) -> httpx.Response:
    body = {"name": "Mine", "workshop_type": "group", "subject": "Notes", **fields}
    return httpx.post(
        f"http://127.0.0.1:{server.port}/v1/templates",
        json=body,
        headers=server.auth(token),
        timeout=30,
    )


def test_templates_written_to_stall_the_platform_are_refused_and_others_are_served(server):
    coach = server.sign_in("coach@example.com")
    lead = server.sign_in("lead@example.com")
    for hostile in HOSTILE:
        # When a coach saves a template written to stall the platform
        response = _post_template(server, coach, content=hostile.source)
        # Then it is refused in the error shape, naming the field and why (never a 500)
        assert response.status_code == 422, (hostile.name, response.text)
        error = response.json()["error"]
        assert error["code"] == "COACH_422"
        problems = {f["field"]: f["problem"] for f in error["details"]["fields"]}
        assert hostile.reason in problems["body.content"], (hostile.name, problems)
        # and another user is still served
        other = httpx.get(
            f"http://127.0.0.1:{server.port}/v1/sessions",
            headers=server.auth(lead),
            timeout=30,
        )
        assert other.status_code == 200, (hostile.name, other.text)
    assert "RecursionError" not in server.stderr


def test_only_an_admin_makes_a_template_the_organizations_default(server):
    content = "{{ greeting }} {{ client_first_name }}"
    coach = server.sign_in("coach@example.com")
    refused = _post_template(server, coach, content=content, is_default=True)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "COACH_403"
    own = _post_template(server, coach, content=content, is_default=True, default_for="coach")
    assert own.status_code == 201 and own.json()["default_for"] == "coach"
    made = _post_template(server, server.token, content=content, is_default=True)  # the admin
    assert made.status_code == 201 and made.json()["default_for"] == "organization"
