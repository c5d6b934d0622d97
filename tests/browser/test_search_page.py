"""The search page in Debian's Chromium against a real `coach serve` (issue 15): the bundled
sample processed and indexed, a coach asks in their own words, sees the filter the question
set as a chip, removes it, and opens a result at its moment in the session's transcript.
Each page screenshotted, axe-core clean, its CSP blocking nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_harness import checked_context, web_dist
from tests.browser.sign_in import sign_in
from tests.e2e.serve_harness import ServeProcess, running_server

pytestmark = pytest.mark.browser

COACH = "coach@example.com"
CLIENT = "Jordan Reyes"  # a client of the bundled sample, who hands over the budget review
QUESTION = "What did Jordan say about the budget review?"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    """`coach serve` over the built app, once its bundled sample has completed (and so been
    indexed: indexing is a step of the pipeline)."""
    home = tmp_path_factory.mktemp("coach-serve-search")
    with running_server(home, sample_done=True, COACH_WEB_DIST=str(web_dist())) as serve:
        yield serve


def _h1(page: Page, name: str | re.Pattern[str]):
    return page.get_by_role("heading", name=name, level=1)


def test_a_coach_searches_removes_a_filter_and_opens_the_moment(server, browser, checks):
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        # Given the demo coach signed in, on the search page the navigation offers
        sign_in(page, server, COACH)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
        expect(_h1(page, "Search")).to_be_visible()
        checks.check_page(page, "search")

        # When they type a client's first letters, the client's name is suggested
        box = page.get_by_role("textbox", name=re.compile("^Search every session"))
        box.fill("Jor")
        expect(page.get_by_role("option", name=CLIENT)).to_be_visible()
        checks.check_page(page, "search-suggestions")

        # When they ask in their own words
        box.fill(QUESTION)
        box.press("Escape")  # the suggestions close; the question stays
        page.get_by_role("button", name="Search", exact=True).click()
        # Then the client the question named is a chip, and the results are theirs, with
        # the question's words marked
        chips = page.get_by_role("group", name="Filters applied")
        remove_client = chips.get_by_role("button", name=f"Remove filter Client: {CLIENT}")
        expect(remove_client).to_be_visible()
        results = page.get_by_role("list", name="Search results").get_by_role("article")
        expect(results.first).to_be_visible()
        for article in results.all():
            expect(article).to_contain_text(CLIENT)
        expect(results.first.locator("mark").first).to_be_visible()
        checks.check_page(page, "search-results")

        # When they remove the chip, the search runs again without that filter
        remove_client.click()
        expect(remove_client).to_have_count(0)
        expect(box).not_to_have_value(re.compile("Jordan"))
        expect(results.first).to_be_visible()
        checks.check_page(page, "search-without-the-client")

        # When they open a result of the transcript, the session opens at that moment in it
        found = page.get_by_role("list", name="Search results")
        found.get_by_role("link", name=re.compile("^Open the session at turn")).first.click()
        expect(_h1(page, re.compile("^Session of"))).to_be_visible()
        expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]+\?turn=\d+"))
        moment = page.get_by_role("list", name="Transcript turns").locator("[aria-current='true']")
        expect(moment.first).to_be_in_viewport()
        expect(moment.first).to_be_focused()
        checks.check_page(page, "session-at-the-moment")

        # When they go back, the search is there again, as they left it
        page.go_back()
        expect(_h1(page, "Search")).to_be_visible()
        expect(box).not_to_have_value(re.compile("Jordan"))
        expect(results.first).to_be_visible()
    finally:
        context.close()
