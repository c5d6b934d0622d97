"""The parts that keep `coach process` cold starts short behave like what they replace."""

from __future__ import annotations

import pytest
from aws_lambda_powertools import Tracer

from coaching.adapters.aws.lazy_client import LazyClient
from coaching.no_tracing import NoTracing


class _Client:
    def post_to_connection(self, **kwargs):
        return kwargs


def test_a_lazy_client_is_created_on_first_use_and_only_once():
    # Given a lazy client
    created: list[_Client] = []

    def create() -> _Client:
        created.append(_Client())
        return created[-1]

    client = LazyClient(create)
    # Then nothing is created until it is used
    assert created == []
    # When it is used twice
    first = client.post_to_connection(ConnectionId="a", Data=b"x")
    second = client.post_to_connection(ConnectionId="b", Data=b"y")
    # Then one client answered both
    assert len(created) == 1
    assert (first["ConnectionId"], second["ConnectionId"]) == ("a", "b")


def test_a_handler_traced_with_no_tracing_returns_and_raises_as_without_a_tracer():
    # Given a tracer whose provider records nothing
    tracer = Tracer(service="test", provider=NoTracing())

    @tracer.capture_lambda_handler
    def handler(event, context):
        if event.get("fail"):
            raise ValueError("bad input")
        tracer.put_annotation("step", "test")
        return {"ok": event["n"]}

    @tracer.capture_method
    def helper(n: int) -> int:
        return n + 1

    # Then results and errors pass through unchanged
    assert handler({"n": 1}, None) == {"ok": 1}
    assert helper(1) == 2
    with pytest.raises(ValueError, match="bad input"):
        handler({"fail": True}, None)
