"""The pre-traffic hook's request, answered by the real API function: what CodeDeploy's
health check sees when a new version is good."""

from __future__ import annotations

import copy
import io
import json

import pytest

from coaching.adapters.aws.release_hooks import HEALTH_REQUEST, is_healthy
from functions.api.handler import lambda_handler as api_handler
from tests.api_calls import CONTEXT
from tests.local_ports import api

pytestmark = pytest.mark.integration


def test_the_api_function_answers_the_hooks_health_request_as_healthy(platform) -> None:
    answer = api_handler(copy.deepcopy(HEALTH_REQUEST), CONTEXT, app=api())
    assert answer["statusCode"] == 200, answer
    payload = io.BytesIO(json.dumps(answer).encode())
    assert is_healthy({"StatusCode": 200, "Payload": payload}) is True
