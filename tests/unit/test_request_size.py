"""The firewall's pattern for `Content-Length` (WAF has no numeric comparison) matches
exactly the lengths the API refuses."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from coaching.api.request_size import DIRECT_BODY_LIMIT_BYTES, TOO_LARGE_CONTENT_LENGTH

PATTERN = re.compile(TOO_LARGE_CONTENT_LENGTH)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=3))
def test_the_pattern_matches_a_length_exactly_when_it_is_refused(length, zeros):
    declared = "0" * zeros + str(length)
    assert bool(PATTERN.match(declared)) == (length >= DIRECT_BODY_LIMIT_BYTES)


def test_the_edges():
    assert not PATTERN.match(str(DIRECT_BODY_LIMIT_BYTES - 1))
    assert PATTERN.match(str(DIRECT_BODY_LIMIT_BYTES))
    assert not PATTERN.match("")
    assert not PATTERN.match("4000000x")
