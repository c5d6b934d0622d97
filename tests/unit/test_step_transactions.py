"""Which steps share one transaction, and that no analyzer call ever runs inside one."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

# Imported while sockets are still on: Powertools' tracer opens its UDP emitter on import.
import coaching.observability  # noqa: F401
from coaching.handlers import pipeline_handler
from coaching.usecases.pipeline_steps import PIPELINE_STEPS
from tests.fakes import MemoryObjects
from tests.unit.saga_setup import KEY, ORG, SESSION, deps, step

WEEK_1 = Path(__file__).parents[1] / "fixtures" / "transcripts" / "client-progress-week1.vtt"
CLIENTS = ["Priya Raman", "Tomas Berg"]


class RecordingTransactions:
    """Where each scope opened, and whether a call runs inside one right now."""

    def __init__(self) -> None:
        self.scopes: list[uuid.UUID] = []
        self.state = "none"

    @contextmanager
    def scoped(self, org: uuid.UUID) -> Iterator[None]:
        self.scopes.append(org)
        self.state = "scoped"
        try:
            yield
        finally:
            self.state = "none"

    @contextmanager
    def outside(self) -> Iterator[None]:
        before, self.state = self.state, "outside"
        try:
            yield
        finally:
            self.state = before


class WatchedAnalyzer:
    """The real offline analyzer, noting the transaction state of each call."""

    def __init__(self, analyzer: Any, transactions: RecordingTransactions) -> None:
        self._analyzer, self._transactions = analyzer, transactions
        self.states: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._analyzer, name)

        def watched(*args: Any, **kwargs: Any) -> Any:
            self.states.append(self._transactions.state)
            return method(*args, **kwargs)

        return watched


def context(name: str) -> SimpleNamespace:
    return SimpleNamespace(
        function_name=name,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        memory_limit_in_mb=512,
        aws_request_id="req",
        function_version="$LATEST",
    )


@pytest.fixture
def world():
    transactions = RecordingTransactions()
    built = deps(MemoryObjects({KEY: WEEK_1.read_bytes()}), has_session=False)
    analyzer = WatchedAnalyzer(built.analyzer, transactions)
    return dataclasses.replace(built, transactions=transactions, analyzer=analyzer)


def run(world, name: str, **fields: Any) -> dict:
    event = step().model_dump(mode="json") | fields
    return pipeline_handler(name)(event, context(name), deps=world)


def test_only_the_steps_without_outside_effects_share_a_transaction():
    shared = {s.name for s in PIPELINE_STEPS if s.one_transaction}
    assert shared == {"ParseTranscript", "AnalyzeClient", "IndexSession"}


def test_each_sharing_step_opens_one_scope_and_calls_its_analyzer_outside_it(world):
    # When the pipeline's steps run through their handlers, on the fakes
    for name in ("ValidateAndStore", "ParseTranscript"):
        run(world, name)
    for client in CLIENTS:
        run(world, "AnalyzeClient", client_name=client)
    run(world, "IndexSession")
    run(world, "NotifyCoach")
    # Then ParseTranscript, each AnalyzeClient and IndexSession opened one scope each, for
    # the session's organization; validation and the notice none
    assert world.transactions.scopes == [ORG] * 4
    # And every analyzer call (each client's, the overview) ran with no transaction open
    assert world.analyzer.states == ["outside"] * 3
    assert world.sessions.get_session(ORG, SESSION).processing_status == "completed"


def test_each_step_streams_started_and_finished_to_subscribers_outside_its_transaction(world):
    # Given screens that subscribed, recorded with the transaction state at each push
    streamed: list[tuple[str, str, str]] = []

    def push_to_subscribers(org, session_id, session_coach, message, *, skip=None):
        assert (org, session_id) == (ORG, SESSION)
        streamed.append((message["type"], message["step"], world.transactions.state))
        return 1

    world.sockets.push_to_subscribers = push_to_subscribers
    # When two steps run, one of them in a shared transaction
    run(world, "ValidateAndStore")
    run(world, "ParseTranscript")
    # Then each step's start and end were streamed, never from inside its transaction
    assert streamed == [
        ("step_started", "ValidateAndStore", "none"),
        ("step_finished", "ValidateAndStore", "none"),
        ("step_started", "ParseTranscript", "none"),
        ("step_finished", "ParseTranscript", "none"),
    ]


def test_a_failing_push_never_fails_a_step(world):
    def broken(*args, **kwargs):
        raise ConnectionError("the management API is away")

    world.sockets.push_to_subscribers = broken
    assert run(world, "ValidateAndStore")
    assert world.sessions.get_session(ORG, SESSION) is not None
