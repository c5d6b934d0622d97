"""Requests at the same moment never see each other's caller: `coach serve` takes them on
many threads, through the local gateway, into one API handler."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from coaching.domain.identity import Role
from local_runtime.gateway import one_at_a_time
from tests.api_calls import CONTEXT, api_event, claims_for
from tests.local_ports import api_handler

pytestmark = pytest.mark.integration


def test_concurrent_callers_each_get_their_own_answer(platform):
    organizations = [uuid.uuid4() for _ in range(6)]
    for org in organizations:
        platform.deps.organizations.ensure_organization(org, f"concurrency {org}")

    def ask(index: int) -> tuple[str, int, dict]:
        org = organizations[index % len(organizations)]
        event = api_event("GET", "/v1/organization", claims_for(org, Role.ADMIN))
        result = one_at_a_time(api_handler, event, CONTEXT)
        return str(org), result["statusCode"], json.loads(result["body"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(240)))
    assert all(status == 200 for _, status, _ in answers)
    assert all(body["id"] == org for org, _, body in answers)
