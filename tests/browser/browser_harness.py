"""Debian's Chromium driven by Playwright, with what every page is checked for: no CSP
violation, no serious or critical axe-core finding, and a screenshot kept as an artifact.

Playwright downloads no browser here: it drives /usr/bin/chromium (`make browser` installs
Debian's package when it is missing). Each launch gets a fresh temporary profile
(Playwright's own --user-data-dir).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("COACH_BROWSER_EXECUTABLE", "/usr/bin/chromium"))
AXE = REPO_ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots and axe reports of each run (README: "Browser tests").
ARTIFACTS = Path(os.environ.get("COACH_BROWSER_ARTIFACTS", REPO_ROOT / "build" / "browser"))
# The flags of a browser in a container with no display, GPU or user: nothing it would
# otherwise fetch or sync on its own (component updates, QUIC probes, sign-in sync).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")
# Recorded before any of the page's own scripts run; CDP's init scripts are not subject to
# the page's CSP, so the checks see the page exactly as a coach's browser does.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  window.__cspViolations.push(`${event.effectiveDirective} blocked ${blocked}`);
});
"""


# The built web app `coach serve` serves (`make web`); COACH_WEB_DIST points at another build.
WEB_DIST = Path(os.environ.get("COACH_WEB_DIST", REPO_ROOT / "web" / "dist"))


def web_dist() -> Path:
    """The build to serve. A checkout without web/ (yet) has no app to test: skipped; one
    with web/ but no build is a broken `make browser`: failed."""
    if (WEB_DIST / "index.html").is_file():
        return WEB_DIST
    if not (REPO_ROOT / "web" / "package.json").is_file() and "COACH_WEB_DIST" not in os.environ:
        pytest.skip("no web/ app in this checkout")
    pytest.fail(f"{WEB_DIST} is not built: `make web` builds it")


def launch(playwright: Playwright) -> Browser:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium package")
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make browser` installs it (npm ci in tests/browser)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )


def checked_context(browser: Browser, **options: Any) -> BrowserContext:
    """A context (its own cookies and storage: one person) whose pages record CSP
    violations and carry axe-core."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, **options)
    context.add_init_script(RECORD_VIOLATIONS)
    context.add_init_script(path=str(AXE))
    return context


@dataclass
class PageChecks:
    """What one test saw of its pages: console errors, and where its artifacts go."""

    folder: Path
    console_errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        return page

    def screenshot(self, page: Page, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_csp_violations(self, page: Page) -> None:
        violations = page.evaluate("window.__cspViolations")
        csp_console = [text for text in self.console_errors if "Content Security Policy" in text]
        assert not violations and not csp_console, (violations, csp_console)

    def assert_accessible(self, page: Page, name: str) -> None:
        """axe-core over the whole page: nothing serious or critical (the report is kept)."""
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{_slug(name)}.axe.json").write_text(
            json.dumps(results["violations"], indent=2)
        )
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
            for v in results["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, "\n".join(blocking)

    def check_page(self, page: Page, name: str) -> None:
        """Every page of the journey: its screenshot, no CSP violation, axe clean."""
        self.screenshot(page, name)
        self.assert_no_csp_violations(page)
        self.assert_accessible(page, name)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
