"""The Swagger page at /docs, in a real browser under the API's own CSP (issue 13): its
inline script runs, nothing it needs is blocked, and it offers to authorize."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.browser_harness import checked_context

pytestmark = pytest.mark.browser


def test_swagger_loads_under_the_api_csp_with_its_authorize_button(server, browser, checks):
    context = checked_context(browser)
    try:
        page = checks.watch(context.new_page())
        # When a developer opens the API's documentation
        answer = page.goto(f"http://127.0.0.1:{server.port}/docs")
        assert answer is not None and answer.status == 200
        assert "script-src 'unsafe-inline'" in answer.headers["content-security-policy"]
        # Then Swagger UI renders the document (its script ran) and offers sign-in
        expect(page.get_by_role("button", name="Authorize")).to_be_visible()
        expect(page.get_by_role("heading", name="Coaching")).to_be_visible()
        checks.screenshot(page, "docs")
        # and the CSP blocked nothing it needed
        checks.assert_no_csp_violations(page)
    finally:
        context.close()
