"""Pinecone and OpenSearch as far as the search adapters use them, answering JSON requests.

In memory, for the contract tests (behind respx and responses) and the deployment rehearsal
(behind its HTTP stand-in). They read the requests as the services would: Pinecone's metadata
filter (`$and`, `$in`, `$eq`, `$gte`, `$lte`) and cosine similarity; OpenSearch's bool query
(`match` on the text, `terms` and `range` filters) with a crude English analysis (lower case,
words, a few suffixes off) standing in for the english analyzer and BM25. An adapter that
sent a filter wrongly would get the wrong passages back.
"""

from __future__ import annotations

import json
import math
import re
import threading
from typing import Any

SEARCH_PATH = re.compile(r"^/(?P<alias>[^/_][^/]*)/_search$")
INDEX_PATH = re.compile(r"^/(?P<index>[^/_][^/]*)$")
STOP_WORDS = {"a", "an", "and", "at", "in", "of", "on", "the", "to", "was", "who", "with"}


def terms(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {re.sub(r"(ing|ed|es|s)$", "", w) or w for w in words if w not in STOP_WORDS}


class OpenSearchEmulator:
    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}  # alias -> index
        self.mappings: dict[str, Any] = {}  # index -> its mappings
        self.documents: dict[str, dict[str, dict[str, Any]]] = {}  # index -> id -> document
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, Any] | None:
        """(status, answer) for a request the adapter makes; None for any other."""
        with self._lock:
            if method == "PUT" and (created := INDEX_PATH.match(path)):
                return self._create(created["index"], json.loads(body or b"{}"))
            if method == "POST" and path == "/_bulk":
                return 200, self._bulk(body)
            if method == "POST" and (searched := SEARCH_PATH.match(path)):
                return self._search(searched["alias"], json.loads(body))
        return None

    def alias_documents(self, alias: str) -> dict[str, dict[str, Any]]:
        return self.documents.get(self.aliases.get(alias, ""), {})

    def _create(self, index: str, body: dict[str, Any]) -> tuple[int, Any]:
        if index in self.documents:
            error = {"type": "resource_already_exists_exception", "root_cause": []}
            return 400, {"error": error, "status": 400}
        self.mappings[index] = body.get("mappings")
        self.documents[index] = {}
        for alias in body.get("aliases", {}):
            self.aliases[alias] = index
        return 200, {"acknowledged": True, "index": index}

    def _bulk(self, body: bytes) -> dict[str, Any]:
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        items: list[dict[str, Any]] = []
        position = 0
        while position < len(lines):
            ((operation, meta),) = lines[position].items()
            index = self.aliases.get(meta["_index"], meta["_index"])
            documents = self.documents.get(index)
            if operation == "delete":
                found = documents is not None and documents.pop(meta["_id"], None) is not None
                items.append({"delete": {"_id": meta["_id"], "status": 200 if found else 404}})
                position += 1
                continue
            if documents is None:  # the adapter creates the index first: never guess one
                items.append({operation: {"_id": meta["_id"], "status": 404}})
            else:
                documents[meta["_id"]] = lines[position + 1]
                items.append({operation: {"_id": meta["_id"], "status": 201}})
            position += 2
        errors = any(next(iter(i.values()))["status"] >= 300 for i in items)
        return {"took": 1, "errors": errors, "items": items}

    def _search(self, alias: str, request: dict[str, Any]) -> tuple[int, Any]:
        if alias not in self.aliases:
            error = {"type": "index_not_found_exception", "root_cause": []}
            return 404, {"error": error, "status": 404}
        query = request["query"]["bool"]
        (match,) = query["must"]
        wanted = terms(match["match"]["text"]["query"])
        scored = []
        for document_id, document in self.alias_documents(alias).items():
            if not all(_passes(document, clause) for clause in query.get("filter", [])):
                continue
            found = wanted & terms(document.get("text", ""))
            if found:
                scored.append({"_id": document_id, "_score": float(len(found))})
        scored.sort(key=lambda hit: -hit["_score"])
        return 200, {"hits": {"hits": scored[: request.get("size", 10)]}}


def _passes(document: dict[str, Any], clause: dict[str, Any]) -> bool:
    ((kind, condition),) = clause.items()
    ((field, allowed),) = condition.items()
    value = document.get(field)
    if kind == "terms":
        return value in allowed
    if kind == "range":
        if value is None:
            return False
        low, high = allowed.get("gte"), allowed.get("lte")
        return (low is None or value >= low) and (high is None or value <= high)
    raise AssertionError(f"a filter the adapter does not send: {clause}")


class PineconeEmulator:
    def __init__(self) -> None:
        self.vectors: dict[str, dict[str, dict[str, Any]]] = {}  # namespace -> id -> record
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, Any] | None:
        if method != "POST" or path not in ("/vectors/upsert", "/vectors/delete", "/query"):
            return None
        request = json.loads(body)
        with self._lock:
            space = self.vectors.setdefault(request.get("namespace", ""), {})
            if path == "/vectors/upsert":
                assert len(request["vectors"]) <= 100, "Pinecone's batch limit"
                space.update({record["id"]: record for record in request["vectors"]})
                return 200, {"upsertedCount": len(request["vectors"])}
            if path == "/vectors/delete":
                for record_id in request.get("ids", []):
                    space.pop(record_id, None)
                return 200, {}
            condition = request.get("filter") or {}
            matches = [
                {"id": record_id, "score": _cosine(request["vector"], record["values"])}
                for record_id, record in space.items()
                if _matches(record.get("metadata", {}), condition)
            ]
            matches.sort(key=lambda match: -match["score"])
            return 200, {"matches": matches[: request["topK"]], "namespace": ""}


def _matches(metadata: dict[str, Any], condition: dict[str, Any]) -> bool:
    for field, test in condition.items():
        if field == "$and":
            if not all(_matches(metadata, part) for part in test):
                return False
            continue
        value = metadata.get(field)
        for operator, operand in test.items():
            passed = {
                "$in": lambda v, o: v in o,
                "$eq": lambda v, o: v == o,
                "$gte": lambda v, o: v is not None and v >= o,
                "$lte": lambda v, o: v is not None and v <= o,
            }[operator](value, operand)
            if not passed:
                return False
    return True


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0
