"""`coach users`: an admin adds accounts from the terminal; they can sign in at once."""

from __future__ import annotations

import json

import pyotp
import pytest
from typer.testing import CliRunner

from local_runtime.cli import app
from tests.authenticator_clock import AUTHENTICATOR_CLOCK
from tests.local_ports import ports

pytestmark = pytest.mark.e2e

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def users(platform):
    runner = CliRunner()

    def run(*args: str, password: str = PASSWORD):
        return runner.invoke(app, ["users", *args], env={"COACH_NEW_USER_PASSWORD": password})

    return run


def test_a_lead_and_their_coach_are_added_and_can_sign_in(users):
    lead = users("add", "lead.cli@example.com", "--name", "Lee Lead", "--role", "coach_lead")
    assert lead.exit_code == 0, lead.output
    coach = users(
        "add",
        "coach.cli@example.com",
        "--name",
        "Casey Coach",
        "--role",
        "coach",
        "--lead",
        "lead.cli@example.com",
    )
    assert coach.exit_code == 0, coach.output
    assert "Added coach coach.cli@example.com" in coach.output
    listed = json.loads(users("list", "--json").stdout)
    by_email = {row["email"]: row for row in listed}
    assert by_email["coach.cli@example.com"]["role"] == "coach"
    assert by_email["lead.cli@example.com"]["coach_id"]
    assert "password" not in json.dumps(listed) and "mfa_secret" not in json.dumps(listed)
    # The coach's record names the lead, so the lead sees the coach's sessions.
    org = ports().accounts.user_by_email("coach.cli@example.com").organization_id
    lead_coach = ports().accounts.user_by_email("lead.cli@example.com").coach_id
    assert len(ports().directory.team_coach_ids(org, lead_coach)) == 2
    # New organizations require MFA (issue 9): the coach enrols at the first sign-in.
    provider = ports().identity_provider
    challenge = provider.sign_in("coach.cli@example.com", PASSWORD)
    assert challenge.name == "MFA_SETUP"
    setup = provider.start_mfa_setup(challenge.session)
    tokens = provider.confirm_mfa_setup(
        setup.session, pyotp.TOTP(setup.secret).at(AUTHENTICATOR_CLOCK())
    )
    assert tokens.access_token


def test_clear_errors_for_a_short_password_a_taken_email_and_an_unknown_lead(users):
    short = users("add", "short@example.com", "--name", "S", "--role", "coach", password="short")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    users("add", "taken@example.com", "--name", "T", "--role", "admin")
    taken = users("add", "taken@example.com", "--name", "T", "--role", "admin")
    assert taken.exit_code == 1 and "already exists" in taken.output
    orphan = users(
        "add", "orphan@example.com", "--name", "O", "--role", "coach", "--lead", "no@example.com"
    )
    assert orphan.exit_code == 1 and "No coach lead" in orphan.output
    unknown_role = users("add", "x@example.com", "--name", "X", "--role", "superuser")
    assert unknown_role.exit_code == 2


def test_reset_mfa_removes_an_authenticator_and_is_audited(users):
    # Given an admin who enrolled an authenticator, then lost it
    users("add", "admin.cli@example.com", "--name", "Ada Admin", "--role", "admin")
    provider = ports().identity_provider
    challenge = provider.sign_in("admin.cli@example.com", PASSWORD)
    setup = provider.start_mfa_setup(challenge.session)
    provider.confirm_mfa_setup(setup.session, pyotp.TOTP(setup.secret).at(AUTHENTICATOR_CLOCK()))

    # When the operator resets it from the terminal
    reset = users("reset-mfa", "admin.cli@example.com")

    # Then the next sign-in enrols again, and the audit log says so
    assert reset.exit_code == 0, reset.output
    assert provider.sign_in("admin.cli@example.com", PASSWORD).name == "MFA_SETUP"
    user = ports().accounts.user_by_email("admin.cli@example.com")
    (entry,) = ports().audit_log.entries(
        user.organization_id, resource_type="user", resource_id=str(user.id)
    )
    assert (entry.action, entry.actor, entry.source) == (
        "reset_mfa",
        "system:coach-users-reset-mfa",
        "cli",
    )
    unknown = users("reset-mfa", "nobody@example.com")
    assert unknown.exit_code == 1 and "No account" in unknown.output


def test_change_gives_a_new_role_or_disables_and_ends_sign_ins(users):
    # Given a support person
    users("add", "change.cli@example.com", "--name", "Chan Change", "--role", "support")
    person = ports().accounts.user_by_email("change.cli@example.com")
    org = person.organization_id
    issued = ports().token_revocations.tokens_valid_after(org, person.id)
    # When the operator makes them a coach lead
    made_lead = users("change", "change.cli@example.com", "--role", "coach_lead")
    assert made_lead.exit_code == 0, made_lead.output
    assert "is coach_lead, enabled" in made_lead.output
    lead = ports().accounts.user_by_email("change.cli@example.com")
    # Then the role is theirs, with the coach record a lead's sessions are filed under, and
    # every sign-in made with the old role ends
    assert lead.role.value == "coach_lead" and lead.coach_id is not None
    ended = ports().token_revocations.tokens_valid_after(org, person.id)
    assert ended is not None and (issued is None or ended > issued)
    # When they are disabled, then enabled again
    assert users("change", "change.cli@example.com", "--disable").exit_code == 0
    assert ports().accounts.user_by_email("change.cli@example.com").disabled_at is not None
    assert users("change", "change.cli@example.com", "--enable").exit_code == 0
    assert ports().accounts.user_by_email("change.cli@example.com").disabled_at is None
    # And each change is audited as the terminal's
    entries = ports().audit_log.entries(org, resource_type="user", resource_id=str(person.id))
    changes = [(e.action, e.actor, e.details) for e in entries if e.source == "cli"]
    assert ("update", "system:coach-users-change", {"role": "coach_lead"}) in changes
    assert ("update", "system:coach-users-change", {"disabled": True}) in changes
    # And nothing to change, or nobody to change, is a clear error
    assert users("change", "change.cli@example.com").exit_code == 2
    unknown = users("change", "nobody@example.com", "--disable")
    assert unknown.exit_code == 1 and "No account" in unknown.output


def test_org_create_makes_an_organization_whose_first_admin_signs_in(users):
    # Given the local runtime, when an organization is created with its first admin
    runner = CliRunner()
    created = runner.invoke(
        app,
        ["org", "create", "Northwind", "--admin", "first.admin@example.com", "--json"],
        env={"COACH_NEW_USER_PASSWORD": PASSWORD},
    )
    assert created.exit_code == 0, created.output
    ids = json.loads(created.stdout)

    # Then the admin belongs to the new organization and signs in with the password given
    admin = ports().accounts.user_by_email("first.admin@example.com")
    assert str(admin.organization_id) == ids["organization_id"] and admin.role.value == "admin"
    assert ports().organizations.organization_exists(admin.organization_id)
    assert ports().identity_provider.sign_in("first.admin@example.com", PASSWORD)
