"""The OpenAI analyzer as deployed with `coaching:analyzer=openai`: in a Lambda-like
interpreter with the AnalyzeClient function's built layer and settings (and what the stack
adds then: tests/infra/test_analyzer_stack.py), the composition reads the OpenAI key from
the secret the stack names, once, and the summary and refinement are OpenAI's. A small
local server stands in for OpenAI and records what it was sent."""

from __future__ import annotations

import json
import textwrap
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cdk.stack import ANALYZER_FUNCTIONS
from tests.openai_recordings import FIXTURES
from tests.rehearsal.harness import host_beside

KEY = "sk-rehearsal-0123456789abcdef"

# Analyzes the tests' short session as the AnalyzeClient function's ports would, then says
# whose analyzer and refiner they were and what the summary holds.
ANALYZE = """
import datetime as dt
from coaching.composition import lambda_ports
from coaching.domain.results import SpeakerStats
from coaching.domain.transcript import Transcript, Turn

LINES = [
    ("Coach", "Welcome back, Ann. How did the week go?"),
    ("Ann", "I managed to finish the budget draft on Tuesday. But I keep putting off the "
            "hard conversation with my manager."),
    ("Coach", "What makes that conversation hard?"),
    ("Ann", "I'm worried she will see it as complaining. Oh, I just realised I've been "
            "treating feedback as conflict."),
    ("Coach", "That's a useful insight. You could try framing it as a proposal rather "
              "than a complaint."),
    ("Ann", "I will book a meeting with her by Friday and bring the proposal."),
    ("Coach", "Great. Let's check in on that next time."),
]

def lambda_handler(event, context):
    ports = lambda_ports()
    transcript = Transcript(format="vtt", turns=[
        Turn(index=i, speaker=s, start=i * 12.0, end=i * 12.0 + 11, text=t)
        for i, (s, t) in enumerate(LINES)
    ])
    speakers = [
        SpeakerStats(name=n, role=r, speaking_time_seconds=300, speaking_share=0.5, turns=4,
                     word_count=100)
        for n, r in (("Coach", "coach"), ("Ann", "client"))
    ]
    analysis = ports.analyzer.analyze_client(
        transcript, "Ann", "Coach", speakers, dt.date(2026, 11, 18))
    return {
        "analyzer": type(ports.analyzer).__name__,
        "refiner": type(ports.refiner).__name__,
        "action_items": [(i.text, i.owner, i.due) for i in analysis.summary.action_items],
    }
"""


class OpenAIStandIn:
    """Answers every chat completion with one recorded reply; keeps each request's key."""

    def __init__(self, recording: str) -> None:
        exchange = json.loads((FIXTURES / f"{recording}.json").read_text(encoding="utf-8"))
        self.keys: list[str] = []
        self.paths: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stand_in.keys.append(self.headers.get("Authorization", ""))
                stand_in.paths.append(self.path)
                body = json.dumps(exchange["body"]).encode()
                self.send_response(exchange["status_code"])
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def openai_stand_in() -> Iterator[OpenAIStandIn]:
    server = OpenAIStandIn("client_summary_ok")
    yield server
    server.close()


def test_the_built_analyzer_asks_openai_with_the_key_from_the_stacks_secret(
    fleet, aws, deployment, rehearsal_python, layer_site, openai_stand_in, tmp_path
):
    # Given the operator's secret, and the AnalyzeClient function as the stack sets it up
    # with coaching:analyzer=openai (its synthesized settings, and those two more)
    assert "analyze_client" in ANALYZER_FUNCTIONS
    secret = f"coaching/rehearsal/openai-{uuid.uuid4().hex[:8]}"
    aws.client("secretsmanager").create_secret(Name=secret, SecretString=KEY + "\n")
    (tmp_path / "handler.py").write_text(textwrap.dedent(ANALYZE), encoding="utf-8")
    analyze = deployment.functions["analyze_client"]
    host = host_beside(
        analyze,
        tmp_path,
        rehearsal_python,
        layer_site,
        {
            **fleet["analyze_client"].environment,
            "COACH_ANALYZER": "openai",
            "COACH_OPENAI_API_KEY_SECRET": secret,
            "COACH_OPENAI_BASE_URL": openai_stand_in.url,  # the stand-in for api.openai.com
        },
    )
    try:
        # When it analyzes a client
        answer = host.invoke({})
    finally:
        host.stop()
    # Then OpenAI was asked, with the key read from the secret, and the summary is its reply
    assert openai_stand_in.keys == [f"Bearer {KEY}"]
    assert openai_stand_in.paths == ["/v1/chat/completions"]
    assert answer["analyzer"] == "OpenAIAnalyzer"
    assert answer["refiner"] == "OpenAISummaryRefiner"
    assert [tuple(item) for item in answer["action_items"]] == [
        ("Ann will book a meeting with her manager and bring a proposal.", "Ann", "2026-11-20")
    ]
