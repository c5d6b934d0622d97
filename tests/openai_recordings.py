"""Recorded exchanges with the OpenAI API (tests/fixtures/openai/*.json), replayed by respx.

Each fixture is one exchange: status, headers, body. The adapters' tests point their
client at BASE_URL with API_KEY; no test ever reaches the real service.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openai"
BASE_URL = "https://llm.test/v1"
API_KEY = "sk-test-0123456789abcdef0123456789abcdef"


def recorded(name: str) -> httpx.Response:
    exchange = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return httpx.Response(
        exchange["status_code"], headers=exchange["headers"], json=exchange["body"]
    )


def sent(route: Any, call: int = 0) -> dict[str, Any]:
    """The JSON body of a route's ``call``-th request."""
    return json.loads(route.calls[call].request.content)  # type: ignore[no-any-return]
