"""An admin's people and a person's own password in Debian's Chromium against a real `coach
serve` (issue 14): add a user (the temporary password shown once lets them choose their own),
change their role, disable them; change one's own password (which ends the sign-in) and sign
in with the new one. Each page screenshotted and checked (CSP, axe-core)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.browser_harness import checked_context, web_dist
from tests.browser.sign_in import past_the_password, sign_in
from tests.e2e.serve_harness import ServeProcess, running_server

pytestmark = pytest.mark.browser

ADMIN = "admin@example.com"
SUPPORT = "support@example.com"  # a second account: each sign-in spends an authenticator code
NEW_PERSON = "browser.new@example.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    home = tmp_path_factory.mktemp("coach-serve-admin")
    with running_server(home, COACH_WEB_DIST=str(web_dist())) as serve:
        yield serve


@pytest.fixture
def person(browser: Browser) -> Iterator[BrowserContext]:
    context = checked_context(browser)
    yield context
    context.close()


def test_an_admin_adds_a_user_changes_their_role_and_disables_them(server, person, checks):
    page = checks.watch(person.new_page())
    sign_in(page, server, ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organization").click()
    users = page.get_by_role("table", name="Users")
    expect(users.get_by_text(ADMIN)).to_be_visible()

    # When the admin adds a coach
    form = page.get_by_role("form", name="Add a user")
    form.get_by_label("Email").fill(NEW_PERSON)
    form.get_by_label("Name").fill("Browser Person")
    form.get_by_label("Role").select_option(label="Coach")
    form.get_by_role("button", name="Add user").click()
    # Then the temporary password is shown once, and the table has them
    note = page.get_by_role("note").filter(has_text=f"Temporary password for {NEW_PERSON}")
    expect(note).to_be_visible()
    expect(users.get_by_text(NEW_PERSON)).to_be_visible()
    checks.check_page(page, "users-added")
    choose_own_password(server, person.browser, checks, note.locator("code").inner_text())

    # When the admin makes them a coach lead, then disables them
    page.get_by_label(f"Role of {NEW_PERSON}").select_option(label="Coach lead")
    expect(page.get_by_role("status").filter(has_text="is now coach lead")).to_be_visible()
    page.get_by_role("button", name=f"Disable {NEW_PERSON}").click()
    expect(page.get_by_role("button", name=f"Enable {NEW_PERSON}")).to_be_visible()
    checks.check_page(page, "users-changed")


def choose_own_password(server, browser, checks, temporary: str) -> None:
    """The added person signs in with the temporary password: they choose their own, enrol
    an authenticator and are in."""
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        page.goto(f"http://127.0.0.1:{server.port}/")
        page.get_by_label("Email").fill(NEW_PERSON)
        page.get_by_label("Password").fill(temporary)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
        checks.check_page(page, "new-password")
        page.get_by_label("New password").fill("the added person's own password")
        page.get_by_role("button", name="Set password").click()
        past_the_password(page, server, NEW_PERSON)
    finally:
        context.close()


def test_a_person_changes_their_own_password_and_signs_in_with_it(server, browser, checks):
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        sign_in(page, server, SUPPORT)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Your profile").click()
        new_password = "a browser-chosen new password"  # noqa: S105 - a test account's
        page.get_by_label("Current password").fill(server.demo_password(SUPPORT))
        page.get_by_label(re.compile(r"^New password")).fill(new_password)
        page.get_by_label("Repeat the new password").fill(new_password)
        page.get_by_role("button", name="Change password").click()
        # Every sign-in with the old password ends, this one too: back to Sign in, saying why
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(
            page.get_by_role("status").filter(has_text="Sign in with the new one.")
        ).to_be_visible()
        checks.check_page(page, "password-changed")
    finally:
        context.close()
    again = checked_context(browser)
    try:
        sign_in(checks.watch(again.new_page()), server, SUPPORT, new_password)
    finally:
        again.close()
