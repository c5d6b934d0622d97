"""The coaches' web app in Debian's Chromium against a real `coach serve`: the journey a
coach takes, each page screenshotted and checked (its CSP blocks nothing, axe-core finds
nothing serious or critical). Controls are found by role and accessible name, never CSS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.browser_harness import checked_context, web_dist
from tests.browser.sign_in import sign_in
from tests.e2e.serve_harness import SAMPLE, ServeProcess, running_server

pytestmark = pytest.mark.browser

COACH = "coach@example.com"
OTHER_COACH = "ravi.shah@example.com"
OTHER_COACH_PASSWORD = "another-coach-password-9"  # noqa: S105 - a test account's
CLIENT = "Jordan Reyes"  # the sample's client whose summary has items with evidence
CLIENT_ADDRESS = "journey-client@example.net"
# Processing a session takes seconds; the default 5 s of an expectation is for a page.
PROCESSING_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    """`coach serve` over the built app, once its bundled sample has completed."""
    home = tmp_path_factory.mktemp("coach-serve-web")
    with running_server(home, sample_done=True, COACH_WEB_DIST=str(web_dist())) as serve:
        yield serve


@pytest.fixture
def coach(browser: Browser) -> Iterator[BrowserContext]:
    context = checked_context(browser)
    yield context
    context.close()


def _new_transcript(folder: Path) -> Path:
    """The sample with one sentence changed: the same people, a new session (no duplicate)."""
    text = SAMPLE.read_text(encoding="utf-8")
    changed = text.replace("Welcome back, everyone.", "Welcome back, everyone (browser).", 1)
    assert changed != text
    path = folder / "browser-journey.vtt"
    path.write_text(changed, encoding="utf-8")
    return path


def _h1(page: Page, name: str | re.Pattern[str]):
    return page.get_by_role("heading", name=name, level=1)


def test_the_app_starts_from_its_runtime_config_under_its_csp(server, coach, checks):
    page = checks.watch(coach.new_page())
    # When a coach opens the app at a client-side route
    answer = page.goto(f"http://127.0.0.1:{server.port}/sessions/somewhere")
    # Then the index answers, under the app's CSP, and the app asks them to sign in
    assert answer is not None and answer.status == 200
    assert "script-src 'self';" in answer.headers["content-security-policy"]
    expect(_h1(page, "Sign in")).to_be_visible()
    checks.check_page(page, "sign-in")


def test_a_coach_reviews_refines_approves_and_sends(server, coach, checks, tmp_path):
    page = checks.watch(coach.new_page())
    # Given the demo coach signed in (enrolling an authenticator, as the organization asks)
    sign_in(page, server, COACH)
    expect(_h1(page, "Dashboard")).to_be_visible()
    recent = page.get_by_role("table", name="Recent sessions")
    expect(recent.get_by_role("link", name=re.compile("^Session of")).first).to_be_visible()
    checks.check_page(page, "dashboard")

    # When they upload a transcript
    page.get_by_role("link", name="Upload", exact=True).click()
    expect(_h1(page, "Upload a transcript")).to_be_visible()
    checks.check_page(page, "upload")
    page.get_by_label("Transcript files", exact=True).set_input_files(_new_transcript(tmp_path))
    page.get_by_role("button", name="Upload", exact=True).click()
    # Then they watch it complete live (the socket's pushes: "Ready" comes from no reload)
    uploads = page.get_by_role("region", name="Uploads")
    expect(uploads.get_by_role("status")).to_contain_text("Ready", timeout=PROCESSING_MS)
    checks.check_page(page, "upload-done")

    # When they open the session and a client's summary
    uploads.get_by_role("link", name="Open the session").click()
    expect(_h1(page, re.compile("^Session of"))).to_be_visible()
    checks.check_page(page, "session")
    page.get_by_role("link", name=f"Review the summary for {CLIENT}").click()
    expect(_h1(page, f"Summary for {CLIENT}")).to_be_visible()
    checks.check_page(page, "summary-review")

    # Then an item leads to its evidence in the transcript
    page.get_by_role("button", name=re.compile("^Show evidence for")).first.click()
    turns = page.get_by_role("list", name="Transcript turns")
    expect(turns.locator("[aria-current='true']").first).to_be_in_viewport()
    checks.screenshot(page, "evidence")

    # When they refine through the chat, the draft changes and the change is shown
    action = "Send the team the retrospective notes by Friday"
    actions = page.get_by_role("region", name="Action items")
    page.get_by_label("Ask for a change").fill(f"add action: {action}")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("region", name="Last change")).to_be_visible()
    expect(actions).to_contain_text(action)
    checks.check_page(page, "refined")
    # and undo takes it back
    page.get_by_role("button", name="Undo").click()
    expect(actions).not_to_contain_text(action)

    # When they approve, a follow-up is drafted
    page.get_by_role("button", name="Approve").click()
    approved = page.get_by_role("status").filter(has_text="Approved")
    expect(approved).to_be_visible()
    checks.check_page(page, "approved")
    # Given the client has an address (clients' records are another page's concern)
    _give_address(server, summary_id=page.url.rsplit("/", 1)[-1])

    # When they open the follow-up and send it
    page.get_by_role("link", name="Open the follow-up").click()
    expect(_h1(page, re.compile("^Follow-up to"))).to_be_visible()
    checks.check_page(page, "follow-up")
    outbox = server.home / "outbox"
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_label("Status: sent")).to_be_visible()
    checks.check_page(page, "follow-up-sent")
    # Then the email is in the outbox, addressed to the client
    to_client = [
        path for path in outbox.glob("*.eml") if f"To: {CLIENT_ADDRESS}" in path.read_text()
    ]
    assert len(to_client) == 1


def _give_address(server: ServeProcess, summary_id: str) -> None:
    summary = server.get(f"/v1/summaries/{summary_id}")
    assert summary.status_code == 200, summary.text
    url = f"http://127.0.0.1:{server.port}/v1/clients/{summary.json()['client_id']}"
    client = httpx.get(url, headers=server.auth(), timeout=30)
    assert client.status_code == 200, client.text
    record = {"name": client.json()["name"], "status": "active", "email": CLIENT_ADDRESS}
    updated = httpx.put(url, headers=server.auth(), json=record, timeout=30)
    assert updated.status_code == 200, updated.text


def test_a_coach_cannot_open_another_coachs_session(server, browser, checks):
    # Given a second coach, and a session of the demo coach's
    added = server.coach(
        "users", "add", OTHER_COACH, "--name", "Ravi Shah", "--role", "coach",
        COACH_NEW_USER_PASSWORD=OTHER_COACH_PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    theirs = server.sessions()[0]["session_id"]
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        sign_in(page, server, OTHER_COACH, OTHER_COACH_PASSWORD)
        # When the other coach opens it by its address
        page.goto(f"http://127.0.0.1:{server.port}/sessions/{theirs}")
        # Then the app shows the API's refusal, and nothing of the session
        expect(page.get_by_role("alert")).to_be_visible()
        expect(_h1(page, re.compile("^Session of"))).to_have_count(0)
        expect(page.get_by_role("table", name="Participants")).to_have_count(0)
        checks.check_page(page, "other-coachs-session")
    finally:
        context.close()


@pytest.mark.parametrize(
    "email",
    ["coach@example.com", "lead@example.com", "admin@example.com", "support@example.com"],
)
def test_every_page_a_role_is_offered_is_checked(server, browser, checks, email):
    """Whatever the navigation offers a role: each page has its own level-1 heading, a
    screenshot, no CSP violation and no serious or critical axe finding."""
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        sign_in(page, server, email)
        navigation = page.get_by_role("navigation", name="Main")
        names = [link.inner_text().strip() for link in navigation.get_by_role("link").all()]
        assert names, "the navigation offers nothing"
        headings: dict[str, str] = {}
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_count(1)
        for name in names:
            link = navigation.get_by_role("link", name=name, exact=True)
            path, shown = link.get_attribute("href") or "", heading.inner_text()
            moved = not page.url.endswith(path)
            link.click()
            expect(page).to_have_url(re.compile(re.escape(path) + "$"))
            expect(heading).to_have_count(1)
            if moved:  # the new page rendered: its heading is not the last page's
                expect(heading).not_to_have_text(shown)
            # The page's own state settles (its loading notices gone) before it is judged
            expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
            headings[name] = heading.inner_text()
            checks.check_page(page, f"{email.split('@')[0]}-{name}")
        assert len(set(headings.values())) == len(headings), headings
    finally:
        context.close()
