"""JSON from callers (request bodies, WebSocket messages), parsed within a nesting limit.

Python's parser recurses per level: a body nested 100,000 deep raises RecursionError (a 500),
and one just under the interpreter's limit would still overflow whatever walks it next
(validation, the database's JSON parser, logging). No message of the API needs more than a
few levels, so anything deeper is refused as invalid JSON: the caller's mistake, a 4xx.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32


class JsonTooDeep(ValueError):
    """A ValueError, as json.loads raises for any other JSON it refuses: the API's request
    validation answers it with 422 naming the body (api/security.py)."""


def parse_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(max_depth) from None
    if _deeper_than(value, max_depth):
        raise _too_deep(max_depth)
    return value


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
