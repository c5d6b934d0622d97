"""Signing in through the web app's own page, as a person does: password, then the
organization's authenticator step (enrolled at the first sign-in, a code after)."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.serve_harness import ServeProcess


def sign_in(page: Page, server: ServeProcess, email: str, password: str | None = None) -> None:
    """Ends signed in, the app's main navigation shown."""
    page.goto(f"http://127.0.0.1:{server.port}/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password or server.demo_password(email))
    page.get_by_role("button", name="Sign in").click()
    past_the_password(page, server, email)


def past_the_password(page: Page, server: ServeProcess, email: str) -> None:
    """From the step after the password (enrolling an authenticator, or its code) to signed
    in, the app's main navigation shown."""
    enrol = page.get_by_role("heading", name="Set up your authenticator app")
    code_step = page.get_by_role("heading", name="Enter your authenticator code")
    expect(enrol.or_(code_step)).to_be_visible()
    if enrol.is_visible():
        # The server's harness signs in over the API with the same authenticator later.
        secret = page.get_by_label("Authenticator secret").inner_text().strip()
        server.authenticators[email] = secret
    totp = pyotp.TOTP(server.authenticators[email])
    # A code works once: a second sign-in within its 30 s takes the next step's (the server
    # accepts one step of clock drift).
    _answer(page, totp.now())
    refused = page.get_by_role("alert")
    signed_in = page.get_by_role("navigation", name="Main")
    expect(signed_in.or_(refused)).to_be_visible()
    if refused.is_visible():
        _answer(page, totp.at(time.time() + totp.interval))
    expect(signed_in).to_be_visible()


def _answer(page: Page, code: str) -> None:
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Confirm authenticator").or_(
        page.get_by_role("button", name="Verify code")
    ).click()
