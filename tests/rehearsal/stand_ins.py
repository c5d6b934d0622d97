"""What the deployed functions call that moto does not answer: one small local HTTP server.

- CodeDeploy's `PutLifecycleEventHookExecutionStatus` (the release's pre-traffic hook reports
  its verdict with it): recorded, so a test reads what CodeDeploy was told.
- Lambda's `Invoke` of a function version (the hook calls the new API version): answered by
  that function's built package, through the callback the rehearsal gives.
- The WebSocket API's management endpoint (`POST /{stage}/@connections/{id}`, the push to a
  coach's open socket): recorded per connection.
- The search indexes in AWS, as much as the adapters use: OpenSearch and a Pinecone index,
  in memory (tests/search_services.py).

The functions reach it through `AWS_ENDPOINT_URL_CODEDEPLOY`, `AWS_ENDPOINT_URL_LAMBDA` and
`COACH_WEBSOCKET_ENDPOINT` (the search indexes through `COACH_OPENSEARCH_ENDPOINT` and
`COACH_PINECONE_INDEX_HOST`), as they reach moto through `AWS_ENDPOINT_URL`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from tests.search_services import OpenSearchEmulator, PineconeEmulator

# HTTPS routes for what a function calls without the SDK (tests/rehearsal/lambda_host.py
# reads the same variable; it cannot import this module: it runs on the standard library).
URL_ROUTES = "REHEARSAL_URL_ROUTES"
CODEDEPLOY_HOOK_STATUS = "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"
INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
PUSH_PATH = re.compile(r"^/(?P<stage>[^/]+)/@connections/(?P<connection>[^/]+)$")

# A function's name (or ARN, qualified or not) and event -> (its answer, whether it raised).
Invoker = Callable[[str, Any], tuple[Any, bool]]


class StandIns:
    """The server and what it was asked; ``invoke`` answers Lambda's Invoke."""

    def __init__(self, invoke: Invoker, stage: str = "prod") -> None:
        self.invoke = invoke
        self.stage = stage
        self.hook_reports: list[dict[str, str]] = []
        self.pushes: dict[str, list[Any]] = {}
        self.opensearch = OpenSearchEmulator()
        self.pinecone = PineconeEmulator()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def websocket_endpoint(self) -> str:
        return f"{self.endpoint}/{self.stage}"

    def start(self) -> StandIns:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def search(self, method: str, path: str, body: bytes) -> tuple[int, Any] | None:
        """OpenSearch's or Pinecone's answer, when the request is one of theirs."""
        return self.opensearch.handle(method, path, body) or self.pinecone.handle(
            method, path, body
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_ins = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # quiet: the functions' own logs say what they called

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target", "")
                if target == CODEDEPLOY_HOOK_STATUS:
                    report = json.loads(body)
                    stand_ins.hook_reports.append(report)
                    answer = {
                        "lifecycleEventHookExecutionId": report.get("lifecycleEventHookExecutionId")
                    }
                    self._reply(200, answer)
                elif invoked := INVOKE_PATH.match(self.path):
                    result, raised = stand_ins.invoke(
                        unquote(invoked["name"]), json.loads(body or b"{}")
                    )
                    headers = {"X-Amz-Function-Error": "Unhandled"} if raised else {}
                    self._reply(200, result, headers)
                elif handled := stand_ins.search("POST", self.path, body):
                    self._reply(*handled)
                elif (pushed := PUSH_PATH.match(self.path)) and pushed["stage"] == stand_ins.stage:
                    connection = unquote(pushed["connection"])
                    stand_ins.pushes.setdefault(connection, []).append(body.decode())
                    self._reply(200, None)
                else:
                    self._reply(400, {"message": f"not stood in for: {target or self.path}"})

            def do_PUT(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if handled := stand_ins.search("PUT", self.path, body):
                    self._reply(*handled)
                else:
                    self._reply(400, {"message": f"not stood in for: PUT {self.path}"})

            def _reply(
                self, status: int, answer: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = b"" if answer is None else json.dumps(answer, default=str).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
