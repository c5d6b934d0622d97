"""Recorded exchanges with HubSpot and Salesforce (tests/fixtures/crm/*.json) in the shapes
their API references document, replayed by respx: what the adapter must send for a given
input (``request``) and what the CRM answered (``response``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crm"


def exchange(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def recorded(name: str) -> httpx.Response:
    answer = exchange(name)["response"]
    return httpx.Response(answer["status_code"], headers=answer["headers"], json=answer["body"])
