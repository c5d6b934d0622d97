"""Support's journey, small screens and the keyboard, in Debian's Chromium against a real
`coach serve`: a support user redrives a failed run from its step timeline and sees the
rerun end; a coach is not offered Support; on a phone the navigation opens from a labelled
menu button; the keyboard alone signs in and reaches the upload page, focus always shown.
Each page is screenshotted and checked (CSP, axe-core) as in test_web_app.py."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pyotp
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.browser_harness import checked_context, web_dist
from tests.browser.sign_in import sign_in
from tests.e2e.serve_harness import SAMPLE, ServeProcess, running_server

pytestmark = pytest.mark.browser

# A run fails and is redriven in seconds; the default 5 s of an expectation is for a page.
PROCESSING_MS = 60_000
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1366, "height": 768}
# Enough presses of Tab to cross any page of the app, so a missing control fails, not hangs.
MOST_TABS = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    home = tmp_path_factory.mktemp("coach-serve-support")
    with running_server(home, sample_done=True, COACH_WEB_DIST=str(web_dist())) as serve:
        yield serve


@contextlib.contextmanager
def index_refusing_writes(home: Path) -> Iterator[None]:
    """The search index refuses every write (as if its database were away) until the block
    ends: IndexSession fails on an internal error, which a redrive can mend. Done in the
    server's own embedded PostgreSQL, as its superuser; the code under test is unchanged."""
    lines = (home / "pgdata" / "postmaster.pid").read_text().splitlines()
    port, socket_dir = lines[3].strip(), lines[4].strip()
    with psycopg.connect(
        host=socket_dir, port=port, user="postgres", dbname="coaching", autocommit=True
    ) as conn:
        conn.execute(
            "CREATE FUNCTION browser_index_down() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'the index is down (browser test)'; END $$"
        )
        conn.execute(
            "CREATE TRIGGER browser_index_down BEFORE INSERT ON search_passages"
            " FOR EACH ROW EXECUTE FUNCTION browser_index_down()"
        )
        try:
            yield
        finally:
            conn.execute("DROP TRIGGER browser_index_down ON search_passages")
            conn.execute("DROP FUNCTION browser_index_down()")


def _upload(server: ServeProcess, name: str, content: bytes) -> None:
    answer = httpx.post(
        f"http://127.0.0.1:{server.port}/v1/sessions",
        headers=server.auth(),
        files={"transcript": (name, content, "text/vtt")},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text


def _upload_by_url(server: ServeProcess, name: str, content: bytes) -> None:
    """As a browser or CRM does with an upload URL: the file is checked by the run, not the
    API (a binary file fails the run's first step, on its input)."""
    base = f"http://127.0.0.1:{server.port}"
    ticket = httpx.post(
        f"{base}/v1/sessions/upload-url", headers=server.auth(), json={"file_name": name}
    )
    assert ticket.status_code in (200, 201), ticket.text
    put = httpx.put(
        ticket.json()["upload_url"], content=content, headers=ticket.json()["headers"], timeout=30
    )
    assert put.status_code < 300, put.text


def _failed_run(server: ServeProcess, name: str) -> dict:
    return server.wait_for(
        lambda: [run for run in server.executions("failed") if run.get("file_name") == name],
        f"{name}'s run to fail",
    )[0]


def _variant(tag: str) -> bytes:
    text = SAMPLE.read_text(encoding="utf-8")
    return text.replace("Welcome back, everyone.", f"Welcome back, everyone ({tag}).", 1).encode()


def _step_row(timeline: Locator, step: str) -> Locator:
    return timeline.get_by_role("row").filter(
        has=timeline.page.get_by_role("cell", name=step, exact=True)
    )


def _h1(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("heading", name=name, level=1)


def test_support_redrives_a_failed_run_from_its_step_timeline(server, browser, checks):
    # Given a run that failed at IndexSession while the index refused writes, then came back
    name = f"index-down-{uuid.uuid4().hex[:8]}.vtt"
    with index_refusing_writes(server.home):
        _upload(server, name, _variant(name))
        run = _failed_run(server, name)
    assert run["failed_step"] == "IndexSession" and run["redrive_helps"] is True, run
    # And a run that failed on its file (not a transcript at all)
    broken = f"broken-{uuid.uuid4().hex[:8]}.vtt"
    _upload_by_url(server, broken, b"\x00\x01\x02 not a transcript " + uuid.uuid4().bytes)
    refused = _failed_run(server, broken)
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        # When support signs in, the failed runs are their first page
        sign_in(page, server, "support@example.com")
        expect(_h1(page, "Failed runs")).to_be_visible()
        runs = page.get_by_role("table", name="Failed runs")
        expect(runs).to_contain_text(name)
        checks.check_page(page, "failed-runs")

        # And they open the run's step timeline: each step, when, and how it ended
        page.get_by_role("button", name=f"Steps of {run['name']}").click()
        timeline = page.get_by_role("table", name=f"Step timeline of {run['name']}")
        expect(_step_row(timeline, "ValidateAndStore")).to_contain_text("Succeeded")
        expect(_step_row(timeline, "IndexSession")).to_contain_text("Failed")
        checks.check_page(page, "step-timeline")

        # When they redrive it
        page.get_by_role("button", name=f"Redrive {run['name']}").click()
        # Then the rerun is followed on the page until it has succeeded
        rerun = page.get_by_role("status").filter(has_text="Redriven:")
        expect(rerun).to_contain_text("has succeeded.", timeout=PROCESSING_MS)
        assert [s["status"] for s in server.sessions_named(name)] == ["completed"]
        # And the failed run, still listed, says a rerun mended it
        mended = page.get_by_role("row").filter(has_text=name)
        expect(mended).to_contain_text("Mended by a rerun")
        checks.check_page(page, "redriven")

        # When they replay the run whose file is not a transcript, the API's refusal shows
        page.get_by_role("button", name=f"Replay {refused['name']}").click()
        expect(page.get_by_role("alert")).to_contain_text("Upload a fixed transcript")
        checks.check_page(page, "replay-refused")
    finally:
        context.close()


def test_a_coach_is_not_offered_support(server, browser, checks):
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        sign_in(page, server, "coach@example.com")
        navigation = page.get_by_role("navigation", name="Main")
        expect(navigation.get_by_role("link", name="Upload", exact=True)).to_be_visible()
        expect(navigation.get_by_role("link", name="Support")).to_have_count(0)
    finally:
        context.close()


def test_on_a_phone_the_navigation_opens_from_the_menu_button(server, browser, checks):
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        sign_in(page, server, "lead@example.com")
        expect(_h1(page, "Dashboard")).to_be_visible()
        # Given laptop and tablet widths, the navigation stands beside the page
        for label, size in (("laptop", LAPTOP), ("tablet", TABLET)):
            page.set_viewport_size(size)
            expect(page.get_by_role("button", name="Menu")).to_be_hidden()
            expect(page.get_by_role("link", name="Upload", exact=True)).to_be_in_viewport()
            checks.check_page(page, f"dashboard-{label}")
        # When the screen is a phone's, the navigation folds away behind the menu button
        page.set_viewport_size(PHONE)
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        navigation = page.get_by_role("navigation", name="Main")
        expect(navigation).not_to_be_in_viewport()
        expect(navigation).to_have_attribute("inert", "")  # out of the tab order too
        checks.check_page(page, "dashboard-phone")
        # And opening it offers the pages, and following one goes there and folds it again
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        upload = navigation.get_by_role("link", name="Upload", exact=True)
        expect(upload).to_be_in_viewport(ratio=1)  # slid in all the way
        checks.check_page(page, "menu-open-phone")
        upload.click()
        expect(_h1(page, "Upload a transcript")).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "false")
        checks.check_page(page, "upload-phone")
    finally:
        context.close()


# Whether the focused control looks different from itself unfocused (an outline, a ring, a
# border colour, on it or on the wrapper that draws its box: a password field's), with
# transitions run to their end first.
FOCUS_SHOWN = """element => {
  const drawn = [element, element.parentElement, element.parentElement?.parentElement];
  const look = () => drawn.filter(Boolean).map((part) => {
    part.getAnimations().forEach((animation) => animation.finish());
    const s = getComputedStyle(part);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor].join("|");
  }).join("/");
  const focused = look();
  element.blur();
  const unfocused = look();
  element.focus();
  return focused !== unfocused;
}"""


def _tab_to(page: Page, target: Locator) -> None:
    """Tab until ``target`` has the focus, and check that the focus can be seen there."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            shown = target.evaluate(FOCUS_SHOWN)
            assert shown, "the focus is not visible on the focused control"
            return
    pytest.fail(f"{MOST_TABS} presses of Tab did not reach {target}")


def test_the_keyboard_alone_signs_in_and_reaches_the_upload_page(server, browser, checks):
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        email = "admin@example.com"
        page.goto(f"http://127.0.0.1:{server.port}/")
        expect(_h1(page, "Sign in")).to_be_visible()
        # When a person signs in with Tab, typing and Enter only
        _tab_to(page, page.get_by_label("Email"))
        page.keyboard.type(email)
        _tab_to(page, page.get_by_label("Password"))
        page.keyboard.type(server.demo_password(email))
        page.keyboard.press("Enter")
        # (the admin's authenticator was enrolled when the server started: a code is asked)
        code = page.get_by_label("Authenticator code")
        expect(code).to_be_visible()
        _tab_to(page, code)
        totp = pyotp.TOTP(server.authenticators[email])
        page.keyboard.type(totp.now())
        page.keyboard.press("Enter")
        navigation = page.get_by_role("navigation", name="Main")
        refused = page.get_by_role("alert")
        expect(navigation.or_(refused)).to_be_visible()
        if refused.is_visible():  # the harness used this code a moment ago: the next one
            _tab_to(page, code)
            page.keyboard.press("Control+A")
            page.keyboard.type(totp.at(time.time() + totp.interval))
            page.keyboard.press("Enter")
        expect(navigation).to_be_visible()
        # Then Tab and Enter reach the upload page, the focus shown on every stop
        _tab_to(page, navigation.get_by_role("link", name="Upload", exact=True))
        checks.screenshot(page, "focus-on-upload-link")
        page.keyboard.press("Enter")
        expect(_h1(page, "Upload a transcript")).to_be_visible()
        checks.check_page(page, "upload-by-keyboard")
    finally:
        context.close()
