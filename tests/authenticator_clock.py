"""One pinned time for TOTP codes, read by the identity provider under test and by the
tests' authenticator alike: a code a test reads is still the current one when the provider
checks it, however long the machine takes in between. Nothing races, or sleeps through, the
end of a 30-second step."""

from __future__ import annotations

import time

STEP_SECONDS = 30


class AuthenticatorClock:
    """Seconds since the epoch, pinned to the middle of the step the test run started in.

    One pin for the whole run, as the tests are written to fit in one step: an account uses
    the previous, current and next step's codes once each (tests/gateway_sign_in.py)."""

    def __init__(self) -> None:
        self._now = (time.time() // STEP_SECONDS) * STEP_SECONDS + STEP_SECONDS / 2

    def __call__(self) -> float:
        return self._now


AUTHENTICATOR_CLOCK = AuthenticatorClock()
