"""What the deployed functions call that moto does not answer: one small local HTTP server.

- CodeDeploy's `PutLifecycleEventHookExecutionStatus` (the release's pre-traffic hook reports
  its verdict with it): recorded, so a test reads what CodeDeploy was told.
- Lambda's `Invoke` of a function version (the hook calls the new API version): answered by
  that function's built package, through the callback the rehearsal gives.
- The WebSocket API's management endpoint (`POST /{stage}/@connections/{id}`, the push to a
  coach's open socket): recorded per connection.
- The search indexes in AWS, as much as the adapters use: OpenSearch (create an index with
  its alias, `_bulk`, `_search`) and a Pinecone index (`/vectors/upsert`, `/vectors/delete`,
  `/query`). Documents and vectors are kept per index and namespace; a search answers every
  document of the alias whose text shares a word with the query, a query every vector of
  the namespace (scores are not the point here: where the requests go is).

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

# HTTPS routes for what a function calls without the SDK (tests/rehearsal/lambda_host.py
# reads the same variable; it cannot import this module: it runs on the standard library).
URL_ROUTES = "REHEARSAL_URL_ROUTES"
CODEDEPLOY_HOOK_STATUS = "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"
INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
PUSH_PATH = re.compile(r"^/(?P<stage>[^/]+)/@connections/(?P<connection>[^/]+)$")
SEARCH_PATH = re.compile(r"^/(?P<alias>[^/_][^/]*)/_search$")
INDEX_PATH = re.compile(r"^/(?P<index>[^/_][^/]*)$")

# A function's name (or ARN, qualified or not) and event -> (its answer, whether it raised).
Invoker = Callable[[str, Any], tuple[Any, bool]]


class StandIns:
    """The server and what it was asked; ``invoke`` answers Lambda's Invoke."""

    def __init__(self, invoke: Invoker, stage: str = "prod") -> None:
        self.invoke = invoke
        self.stage = stage
        self.hook_reports: list[dict[str, str]] = []
        self.pushes: dict[str, list[Any]] = {}
        self.search = SearchStandIn()
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
                elif (answer := stand_ins.search.post(self.path, body)) is not None:
                    self._reply(200, answer)
                elif (pushed := PUSH_PATH.match(self.path)) and pushed["stage"] == stand_ins.stage:
                    connection = unquote(pushed["connection"])
                    stand_ins.pushes.setdefault(connection, []).append(body.decode())
                    self._reply(200, None)
                else:
                    self._reply(400, {"message": f"not stood in for: {target or self.path}"})

            def do_PUT(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if created := INDEX_PATH.match(self.path):
                    stand_ins.search.create_index(created["index"], json.loads(body or b"{}"))
                    self._reply(200, {"acknowledged": True, "index": created["index"]})
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


class SearchStandIn:
    """OpenSearch and Pinecone, as far as the search adapters go (see the module's doc)."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}  # alias -> index
        self.mappings: dict[str, Any] = {}  # index -> its mappings
        self.documents: dict[str, dict[str, dict[str, Any]]] = {}  # index -> id -> document
        self.vectors: dict[str, dict[str, dict[str, Any]]] = {}  # namespace -> id -> record
        self._lock = threading.Lock()

    def create_index(self, index: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.mappings[index] = body.get("mappings")
            self.documents.setdefault(index, {})
            for alias in body.get("aliases", {}):
                self.aliases[alias] = index

    def post(self, path: str, body: bytes) -> Any:
        """The answer to a search request, or None when the path is none of them."""
        with self._lock:
            if path == "/_bulk":
                return self._bulk(body)
            if searched := SEARCH_PATH.match(path):
                return self._search(searched["alias"], json.loads(body))
            if path == "/vectors/upsert":
                request = json.loads(body)
                space = self.vectors.setdefault(request.get("namespace", ""), {})
                space.update({record["id"]: record for record in request["vectors"]})
                return {"upsertedCount": len(request["vectors"])}
            if path == "/vectors/delete":
                request = json.loads(body)
                space = self.vectors.get(request.get("namespace", ""), {})
                for record_id in request.get("ids", []):
                    space.pop(record_id, None)
                return {}
            if path == "/query":
                request = json.loads(body)
                space = self.vectors.get(request.get("namespace", ""), {})
                matches = [{"id": i, "score": 0.5} for i in list(space)[: request["topK"]]]
                return {"matches": matches, "namespace": request.get("namespace", "")}
        return None

    def alias_documents(self, alias: str) -> dict[str, dict[str, Any]]:
        return self.documents.get(self.aliases.get(alias, alias), {})

    def _bulk(self, body: bytes) -> dict[str, Any]:
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        items: list[dict[str, Any]] = []
        position = 0
        while position < len(lines):
            ((operation, meta),) = lines[position].items()
            index = self.aliases.get(meta["_index"], meta["_index"])
            documents = self.documents.setdefault(index, {})
            if operation == "delete":
                found = documents.pop(meta["_id"], None) is not None
                items.append({"delete": {"_id": meta["_id"], "status": 200 if found else 404}})
                position += 1
            else:
                documents[meta["_id"]] = lines[position + 1]
                items.append({operation: {"_id": meta["_id"], "status": 201}})
                position += 2
        return {"took": 1, "errors": False, "items": items}

    def _search(self, alias: str, request: dict[str, Any]) -> dict[str, Any]:
        (match,) = request["query"]["bool"]["must"]
        words = set(match["match"]["text"]["query"].lower().split())
        hits = [
            {"_id": document_id, "_score": 1.0}
            for document_id, document in self.alias_documents(alias).items()
            if words & set(document.get("text", "").lower().split())
        ]
        return {"hits": {"hits": hits[: request.get("size", 10)]}}
