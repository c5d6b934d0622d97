"""Request JSON the API refuses as the caller's mistake (422), never a 500 further in."""

from __future__ import annotations

import pytest

from coaching.api.json_body import JsonTextUnusable, parse_json


@pytest.mark.parametrize(
    "text",
    [
        '{"content": "a\\u0000b"}',  # PostgreSQL text cannot hold NUL (found by schemathesis)
        '{"a\\u0000": 1}',
        '{"name": "half a pair \\ud83d"}',  # not encodable as UTF-8
        '[["deep", ["\\u0000"]]]',
    ],
)
def test_text_no_field_can_keep_is_refused(text):
    with pytest.raises(JsonTextUnusable):
        parse_json(text)


def test_ordinary_text_and_whole_surrogate_pairs_pass():
    assert parse_json('{"name": "Zo\\u00eb \\ud83d\\ude00", "n": [1, null]}') == {
        "name": "Zoë 😀",
        "n": [1, None],
    }
