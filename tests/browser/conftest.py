"""One real `coach serve` (tests/e2e/serve_harness.py) and one Chromium for the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.browser_harness import ARTIFACTS, PageChecks, launch
from tests.e2e.serve_harness import ServeProcess, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    with running_server(tmp_path_factory.mktemp("coach-serve-browser")) as serve:
        yield serve


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def checks(request) -> PageChecks:
    """Artifacts per test: build/browser/<module>/<test>/."""
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    return PageChecks(ARTIFACTS / module / request.node.name)
