"""JSON from callers (request bodies, WebSocket messages), parsed within a nesting limit.

Python's parser recurses per level: a body nested 100,000 deep raises RecursionError (a 500),
and one just under the interpreter's limit would still overflow whatever walks it next
(validation, the database's JSON parser, logging). No message of the API needs more than a
few levels, so anything deeper is refused as invalid JSON: the caller's mistake, a 4xx.

Text that no field can keep is refused the same way: a NUL character (PostgreSQL's text
cannot hold one) or half of a surrogate pair (not encodable as UTF-8), anywhere in the body.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32


class JsonTooDeep(ValueError):
    """A ValueError, as json.loads raises for any other JSON it refuses: the API's request
    validation answers it with 422 naming the body (api/security.py)."""


class JsonTextUnusable(ValueError):
    """A string no field can keep (see the module's docstring): 422, as for JsonTooDeep."""


def parse_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(max_depth) from None
    if _deeper_than(value, max_depth):
        raise _too_deep(max_depth)
    if any(_unusable(string) for string in _strings(value)):
        raise JsonTextUnusable(
            "The JSON holds a NUL character or half of a surrogate pair, which no field keeps."
        )
    return value


def _strings(value: Any):
    """Every string of a parsed value, keys included (its depth is already checked)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _unusable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _too_deep(max_depth: int) -> JsonTooDeep:
    return JsonTooDeep(f"The JSON is nested more than {max_depth} levels deep.")


def _deeper_than(value: Any, max_depth: int) -> bool:
    """Walks the parsed value with a stack of its own, never by recursion."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False
