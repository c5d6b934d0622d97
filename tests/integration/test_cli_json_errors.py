"""With --json, every `coach` command that takes it answers a refusal with one error object in
the API's shape on stdout (scripts read stdout), and the README's exit codes: 1 refused, 2
wrong usage (issue 13)."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from local_runtime.cli import app
from tests.api_calls import request
from tests.local_ports import ports
from tests.review_data import add_coach, reviewed_session

pytestmark = pytest.mark.integration

NOBODY = str(uuid.UUID(int=0x5EED))
REFUSALS = [
    # (the command, its exit code, the error's code)
    (["clients", "import", "/no/such/clients.csv"], 1, "COACH_400"),
    (["follow-ups", "list", "--status", "lost"], 2, "COACH_400"),
    (["follow-ups", "send", NOBODY], 1, "COACH_404"),
    (["follow-ups", "schedule", NOBODY, "next tuesday"], 2, "COACH_400"),
    (["follow-ups", "schedule", NOBODY, "2030-01-02T09:00"], 2, "COACH_400"),
    (["summaries", "refine", NOBODY, "shorter"], 1, "COACH_404"),
    (["executions", "show", "no-such-run"], 1, "COACH_404"),
]


@pytest.mark.parametrize(
    ("command", "exit_code", "code"), REFUSALS, ids=[" ".join(c) for c, _, _ in REFUSALS]
)
def test_a_refusal_with_json_is_the_apis_error_object_on_stdout(platform, command, exit_code, code):
    # When a command is refused with --json
    result = CliRunner().invoke(app, [*command, "--json"])
    # Then stdout is one error object in the API's shape, and the exit code the README lists
    assert result.exit_code == exit_code, result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == code and error["message"], error
    assert set(error) == {"code", "message", "details"}


def test_a_follow_up_not_sent_exits_1_with_json_too(platform):
    # Given an approved follow-up of the local organization whose client has no address
    org = ports().settings.default_organization_id
    review = reviewed_session(platform, org, add_coach(org, "Maya Chen"))
    summary = review.summaries()["Priya Nair"]
    ports().contact_details.update_contact(org, uuid.UUID(summary["client_id"]), {"email": None})
    status, approved = request("POST", f"/v1/summaries/{summary['id']}/approve", review.claims())
    assert status == 200, approved
    # When it is sent with --json
    result = CliRunner().invoke(app, ["follow-ups", "send", approved["follow_up"]["id"], "--json"])
    # Then the follow-up says why it failed, and the exit code is 1, as without --json
    assert json.loads(result.stdout)["status_reason"] == "client_has_no_email_address"
    assert result.exit_code == 1
