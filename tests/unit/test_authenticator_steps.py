"""Which 30-second step a TOTP code belongs to, at a time given rather than read from the
wall clock: the current step's code and its neighbours' (clock drift), nothing further."""

from __future__ import annotations

import pyotp
import pytest

from coaching.adapters.local.identity_provider import _matching_step

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STEP = 30
NOW = 1_750_000_000 // STEP * STEP + 29.9  # the last tenth of a second of a step


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_current_step_and_its_neighbours_match(offset: int):
    code = pyotp.TOTP(SECRET).at(NOW + offset * STEP)
    assert _matching_step(SECRET, code, NOW) == NOW // STEP + offset


@pytest.mark.parametrize("offset", [-2, 2])
def test_a_code_two_steps_away_does_not(offset: int):
    code = pyotp.TOTP(SECRET).at(NOW + offset * STEP)
    assert _matching_step(SECRET, code, NOW) is None


def test_the_step_is_counted_at_the_time_given():
    code = pyotp.TOTP(SECRET).at(NOW)
    # a moment later the wall clock is in the next step: the same code is now the previous one
    assert _matching_step(SECRET, code, NOW + 0.2) == NOW // STEP
    assert _matching_step(SECRET, code, NOW + 2 * STEP) is None


def test_what_is_not_a_code_matches_no_step():
    assert _matching_step(SECRET, "12a456", NOW) is None
