"""The exports page in Debian's Chromium against a real `coach serve` (issue 17): the demo
coach runs a CSV export of the bundled sample, follows it to its end, downloads the sessions
file and finds the published schema's header row, and sees HubSpot connected (its token
file stored) and Salesforce not; then creates a weekly schedule with the
builder and deletes it after the confirmation. Each page screenshotted, axe-core clean, its
CSP blocking nothing."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from coaching.adapters.crm.file_credentials import FileCrmCredentials
from coaching.exports.schemas import SCHEMAS
from coaching.ports.crm import CrmToken
from tests.browser.browser_harness import checked_context, web_dist
from tests.browser.sign_in import sign_in
from tests.e2e.serve_harness import ServeProcess, running_server

pytestmark = pytest.mark.browser

COACH = "coach@example.com"
# The export runs in `coach serve`'s background: give it longer than an assertion's default.
EXPORT_DONE_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    """`coach serve` over the built app, once its bundled sample has completed (a session
    with a client and a summary to export), with HubSpot's token stored and Salesforce's not.
    (One module signs in twice at most: a third sign-in may find both TOTP codes used.)"""
    home = tmp_path_factory.mktemp("coach-serve-exports")
    with running_server(home, sample_done=True, COACH_WEB_DIST=str(web_dist())) as serve:
        # The demo organization's own token file (each organization has its own folder).
        answer = serve.get("/v1/export/crm-connections")
        assert answer.status_code == 200, answer.text
        org = uuid.UUID(answer.json()["organization_id"])
        FileCrmCredentials(home / "home" / "secrets", org, "hubspot").save(
            CrmToken(access_token="browser-test-token")
        )
        yield serve


def org_of(server: ServeProcess) -> str:
    return server.get("/v1/export/crm-connections").json()["organization_id"]


def _h1(page: Page, name: str | re.Pattern[str]):
    return page.get_by_role("heading", name=name, level=1)


def _open_exports(page: Page, server: ServeProcess) -> None:
    sign_in(page, server, COACH)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    expect(_h1(page, "Exports")).to_be_visible()


def test_a_coach_runs_a_csv_export_and_downloads_its_sessions_file(server, browser, checks):
    context = checked_context(browser, accept_downloads=True)
    try:
        page = checks.watch(context.new_page())
        # Given the demo coach on the exports page
        _open_exports(page, server)
        checks.check_page(page, "exports")
        # HubSpot shows connected (its token stored), Salesforce how to connect it
        crms = page.get_by_role("list", name="CRMs").get_by_role("listitem")
        hubspot = crms.filter(has_text=re.compile("^HubSpot"))
        salesforce = crms.filter(has_text=re.compile("^Salesforce"))
        expect(hubspot).to_contain_text("HubSpot Connected")
        expect(hubspot).not_to_contain_text("hubspot.json")
        expect(salesforce).to_contain_text("Salesforce Not connected")
        expect(salesforce).to_contain_text(f"secrets/crm/{org_of(server)}/salesforce.json")

        # When they run a CSV export (the default format), sensitive items left out
        form = page.get_by_role("form", name="Run an export now")
        expect(form.get_by_label("Format")).to_have_value("csv")
        expect(form.get_by_role("checkbox", name="Include sensitive items")).not_to_be_checked()
        form.get_by_role("button", name="Run export").click()

        # Then the job is followed to its end, and each file is offered with its rows and size
        files = page.get_by_role("list", name="Files of this export")
        expect(files).to_be_visible(timeout=EXPORT_DONE_MS)
        expect(files).to_contain_text(re.compile(r"sessions: \d+ rows? · [\d.,]+ (B|KB)\)"))
        checks.check_page(page, "export-ready")

        # When they download the sessions file, its first row is the published header
        with page.expect_download() as downloading:
            files.get_by_role("link", name="Download sessions.csv").click()
        download = downloading.value
        assert download.suggested_filename == "sessions.csv"
        text = download.path().read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == [column.name for column in SCHEMAS["sessions"].columns]
        assert len(rows) >= 2  # the bundled sample's session

        # And the run is among the recent runs, ready
        runs = page.get_by_role("table", name="Recent export runs")
        expect(runs.get_by_role("row").filter(has_text="Ready").first).to_be_visible()
        checks.check_page(page, "export-recent-runs")
    finally:
        context.close()


def test_a_coach_creates_a_weekly_schedule_and_deletes_it(server, browser, checks):
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        _open_exports(page, server)

        # When they build "every Wednesday at 07:00" and create it
        form = page.get_by_role("form", name="New schedule")
        form.get_by_label("How often").select_option("weekly")
        form.get_by_label("On", exact=True).select_option("Wednesday")
        form.get_by_label("At", exact=True).select_option("07:00")
        expect(form).to_contain_text("Runs: Every Wednesday at 07:00")
        form.get_by_role("button", name="Create schedule").click()

        # Then it is listed, with its next run
        schedules = page.get_by_role("table", name="Export schedules")
        delete = schedules.get_by_role(
            "button", name=re.compile("^Delete schedule Every Wednesday at 07:00")
        )
        expect(delete).to_be_visible()
        checks.check_page(page, "schedule-created")

        # When they ask to delete it, a confirmation comes first; keeping it keeps it
        delete.click()
        dialog = page.get_by_role("dialog", name="Delete this schedule?")
        expect(dialog).to_be_visible()
        checks.check_page(page, "schedule-delete-confirmation")
        dialog.get_by_role("button", name="Keep it").click()
        expect(dialog).to_be_hidden()
        expect(delete).to_be_visible()

        # When they confirm, it is gone
        delete.click()
        dialog.get_by_role("button", name="Delete schedule").click()
        expect(page.get_by_text("No schedules yet: create one below.")).to_be_visible()
        expect(delete).to_have_count(0)
        checks.check_page(page, "schedule-deleted")
    finally:
        context.close()
