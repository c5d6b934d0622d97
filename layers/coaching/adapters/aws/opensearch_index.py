"""KeywordIndex on OpenSearch (Serverless or a domain): BM25 over English-stemmed text.

One index per organization, read and written only through its alias
(`<prefix>-<org>` -> `<prefix>-<org>-v1`): an organization's passages are apart from every
other's (a query cannot reach another index by a wrong filter), deleting an organization is
dropping its index, and a rebuild can fill a new index and move the alias. (A filtered alias
over one shared index would save indexes but rests every query's isolation on a filter.)

The text is indexed but left out of `_source`: OpenSearch answers ids and scores only, and
results are read back from PostgreSQL. Requests are signed with SigV4 (service "aoss" for a
Serverless collection, "es" for a domain) by the client's own AWSV4SignerAuth.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection, helpers
from opensearchpy.exceptions import OpenSearchException, TransportError

from coaching.domain.search import Hit, Passage, SearchFilters
from coaching.ports.search_index import SearchBackendUnavailable

INDEX_VERSION = "v1"
BULK_CHUNK = 500  # documents a bulk request carries (well under the 10 MB request limit)

# Exact-match fields are keywords (bool filters); the text is analysed by the English
# analyzer (stemming, stop words) and ranked with BM25.
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_source": {"excludes": ["text"]},
    "properties": {
        "text": {"type": "text", "analyzer": "english", "similarity": "BM25"},
        "coach_id": {"type": "keyword"},
        "client_id": {"type": "keyword"},
        "session_id": {"type": "keyword"},
        "kind": {"type": "keyword"},
        "session_type": {"type": "keyword"},
        "session_date": {"type": "date", "format": "strict_date"},
    },
}


def opensearch_client(
    endpoint: str, *, region: str, credentials: Any, service: str = "aoss", timeout: float = 5
) -> OpenSearch:
    """A client signing with SigV4 (`credentials`: botocore's, e.g. the Lambda role's).
    ``endpoint``: the collection's https URL (or a bare host); http only for a stand-in."""
    url = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    secure = url.scheme == "https"
    return OpenSearch(
        hosts=[{"host": url.hostname, "port": url.port or (443 if secure else 80)}],
        http_auth=AWSV4SignerAuth(credentials, region, service),
        use_ssl=secure,
        verify_certs=secure,
        connection_class=RequestsHttpConnection,
        timeout=timeout,
        max_retries=1,
        retry_on_timeout=True,
    )


class OpenSearchKeywordIndex:
    name = "opensearch"

    def __init__(self, client: OpenSearch, *, prefix: str = "coaching-passages") -> None:
        self._client = client
        self._prefix = prefix
        self._ready: set[uuid.UUID] = set()  # organizations whose index exists (this process)

    def alias(self, org: uuid.UUID) -> str:
        return f"{self._prefix}-{org}"

    def upsert(self, org: uuid.UUID, passages: Sequence[Passage]) -> None:
        if not passages:
            return
        self._ensure_index(org)
        alias = self.alias(org)
        actions = [
            {"_op_type": "index", "_index": alias, "_id": str(p.id), "_source": document(p)}
            for p in passages
        ]
        self._bulk(actions, "upsert")

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        if not ids:
            return
        alias = self.alias(org)
        actions = [{"_op_type": "delete", "_index": alias, "_id": str(i)} for i in ids]
        self._bulk(actions, "delete")

    def query(self, org: uuid.UUID, text: str, filters: SearchFilters, limit: int) -> list[Hit]:
        conditions = bool_filters(filters)
        if conditions is None or limit <= 0 or not text.strip():
            return []
        body = {
            "size": limit,
            "_source": False,
            "track_total_hits": False,
            "query": {
                "bool": {"must": [{"match": {"text": {"query": text}}}], "filter": conditions}
            },
        }
        try:
            answer = self._client.search(index=self.alias(org), body=body)
        except TransportError as error:
            if error.status_code == 404:
                return []  # nothing indexed for the organization yet: no index, no alias
            raise _unavailable("search", error) from error
        except OpenSearchException as error:
            raise _unavailable("search", error) from error
        return [
            Hit(passage_id=uuid.UUID(hit["_id"]), score=float(hit["_score"]))
            for hit in answer["hits"]["hits"]
        ]

    def _ensure_index(self, org: uuid.UUID) -> None:
        if org in self._ready:
            return
        alias = self.alias(org)
        body = {"mappings": MAPPINGS, "aliases": {alias: {}}}
        try:
            self._client.indices.create(index=f"{alias}-{INDEX_VERSION}", body=body)
        except TransportError as error:
            if error.error != "resource_already_exists_exception":
                raise _unavailable("index creation", error) from error
        except OpenSearchException as error:
            raise _unavailable("index creation", error) from error
        self._ready.add(org)

    def _bulk(self, actions: list[dict[str, Any]], what: str) -> None:
        try:
            _, errors = helpers.bulk(
                self._client, actions, chunk_size=BULK_CHUNK, raise_on_error=False
            )
        except OpenSearchException as error:
            raise _unavailable(what, error) from error
        failed = [item for item in errors if not _already_gone(item)]
        if failed:
            raise SearchBackendUnavailable(
                f"OpenSearch refused {len(failed)} of {len(actions)} documents in the {what}."
            )


def document(passage: Passage) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "text": passage.text,
        "coach_id": str(passage.coach_id) if passage.coach_id else None,
        "client_id": str(passage.client_id) if passage.client_id else None,
        "session_id": str(passage.session_id),
        "kind": passage.kind,
        "session_type": passage.session_type,
        "session_date": passage.session_date.isoformat() if passage.session_date else None,
    }
    return {key: value for key, value in fields.items() if value is not None}


def bool_filters(filters: SearchFilters) -> list[dict[str, Any]] | None:
    """Every filter as a bool filter clause; None when a filter allows nothing."""
    sets = {
        "coach_id": filters.coach_ids,
        "client_id": filters.client_ids,
        "session_id": filters.session_ids,
        "kind": filters.kinds,
        "session_type": filters.session_types,
    }
    clauses: list[dict[str, Any]] = []
    for field, allowed in sets.items():
        if allowed is None:
            continue
        if not allowed:
            return None
        clauses.append({"terms": {field: sorted(str(value) for value in allowed)}})
    dates: dict[str, str] = {}
    if filters.date_from is not None:
        dates["gte"] = filters.date_from.isoformat()
    if filters.date_to is not None:
        dates["lte"] = filters.date_to.isoformat()
    if dates:
        clauses.append({"range": {"session_date": dates}})
    return clauses


def _already_gone(item: dict[str, Any]) -> bool:
    """A delete of a document (or an index) that is not there has nothing left to do."""
    delete = item.get("delete")
    return delete is not None and delete.get("status") == 404


def _unavailable(what: str, error: OpenSearchException) -> SearchBackendUnavailable:
    # The status and error type only: an OpenSearch error body may quote the request.
    status = getattr(error, "status_code", None)
    return SearchBackendUnavailable(
        f"OpenSearch did not answer the {what} ({type(error).__name__}, {status})."
    )
