"""HubSpot and Salesforce as respx routes: what each API answers, in its documented shapes
(HubSpot CRM v3 batch upsert and batch read, v4 default associations, OAuth v1 token;
Salesforce REST sObject Collections upsert/create/update, SOQL query, OAuth 2 token), kept
as state so a second push meets the first one's records. Never a live account.

Each server checks what it is sent as the real API would (the bearer token, the request
shapes) and can be told to answer "too many requests" the next N times.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

from coaching.adapters.crm import hubspot, salesforce

HUBSPOT_API = "https://hubspot.test"
SALESFORCE_INSTANCE = "https://coaching.my.salesforce.test"
SALESFORCE_TOKEN_URL = "https://login.salesforce.test/services/oauth2/token"
HUBSPOT_TOKEN_URL = f"{HUBSPOT_API}/oauth/v1/token"
STAMP = "2026-11-30T18:00:00.000Z"


class CrmServer:
    """What both simulated CRMs share: tokens, throttling, and the requests they were sent."""

    def __init__(self) -> None:
        self.access_token = "access-1"
        self.refresh_token = "refresh-1"
        self.refreshes = 0
        self.throttle_next = 0
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        # Answers given before anything else, in order (a test's own script).
        self.scripted: list[httpx.Response] = []
        self._ids = itertools.count(1001)

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids)}"

    def authorized(self, request: httpx.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.access_token}"

    def expire_token(self) -> None:
        self.access_token = "access-rotated-by-the-crm"

    def script(self) -> httpx.Response | None:
        return self.scripted.pop(0) if self.scripted else None

    def throttled(self) -> bool:
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return True
        return False

    def renew(self, request: httpx.Request) -> httpx.Response:
        self.token_requests.append(request)
        form = parse_qs(request.content.decode())
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [
            self.refresh_token
        ]:
            return httpx.Response(400, json={"error": "invalid_grant"})
        self.refreshes += 1
        self.access_token = f"access-refreshed-{self.refreshes}"
        return httpx.Response(200, json=self.token_answer())

    def token_answer(self) -> dict[str, Any]:
        raise NotImplementedError


class HubSpotServer(CrmServer):
    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}  # object -> external id -> rec
        self.associations: set[tuple[str, str, str]] = set()  # (object, its id, contact id)

    def install(self, router: respx.Router, api_url: str = HUBSPOT_API) -> None:
        """Answers at ``api_url`` (the adapter's real default, api.hubapi.com, for tests of
        the wired runtime)."""
        router.post(f"{api_url}/oauth/v1/token").mock(side_effect=self.renew)
        router.route(host=httpx.URL(api_url).host).mock(side_effect=self.answer)

    def token_answer(self) -> dict[str, Any]:
        return {
            "token_type": "bearer",
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": 1800,
        }

    def stored(self, entity: str) -> dict[str, dict[str, Any]]:
        return {key: record["properties"] for key, record in self.objects.get(entity, {}).items()}

    def contact_of(self, entity: str, external_id: str) -> str | None:
        record_id = self.objects[entity][external_id]["id"]
        contacts = {r["id"]: key for key, r in self.objects.get("contacts", {}).items()}
        for obj, from_id, to_id in self.associations:
            if obj == entity and from_id == record_id:
                return contacts[to_id]
        return None

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if scripted := self.script():
            return scripted
        if not self.authorized(request):
            return httpx.Response(
                401,
                json={
                    "status": "error",
                    "message": "The OAuth token used to make this call expired.",
                    "category": "EXPIRED_AUTHENTICATION",
                    "correlationId": "c-1",
                },
            )
        if self.throttled():
            return httpx.Response(
                429,
                json={
                    "status": "error",
                    "message": "You have reached your ten_secondly_rolling limit.",
                    "errorType": "RATE_LIMIT",
                    "policyName": "TEN_SECONDLY_ROLLING",
                    "correlationId": "c-2",
                },
            )
        return self._route(request.url.path, json.loads(request.content or b"{}"))

    def _route(self, path: str, body: dict[str, Any]) -> httpx.Response:
        if match := re.fullmatch(r"/crm/v3/objects/(\w+)/batch/upsert", path):
            return self._upsert(match[1], body)
        if path == "/crm/v3/objects/contacts/batch/read":
            return self._read(body)
        if match := re.fullmatch(
            r"/crm/v4/associations/(\w+)/contacts/batch/associate/default", path
        ):
            return self._associate(match[1], body)
        return httpx.Response(404, json={"status": "error", "category": "OBJECT_NOT_FOUND"})

    def _upsert(self, entity: str, body: dict[str, Any]) -> httpx.Response:
        results = []
        stored = self.objects.setdefault(entity, {})
        for given in body["inputs"]:
            assert set(given) <= {"id", "idProperty", "properties", "objectWriteTraceId"}
            assert given["idProperty"] == hubspot.ID_PROPERTY
            assert all(isinstance(v, str) for v in given["properties"].values())
            key = given["id"]
            new = key not in stored
            record = stored.setdefault(key, {"id": self.new_id(), "properties": {}})
            record["properties"].update(given["properties"])
            results.append(
                {
                    "id": record["id"],
                    "new": new,
                    "properties": dict(record["properties"]),
                    "createdAt": STAMP,
                    "updatedAt": STAMP,
                    "archived": False,
                }
            )
        return httpx.Response(200, json=_batch(results))

    def _read(self, body: dict[str, Any]) -> httpx.Response:
        assert body["idProperty"] == hubspot.ID_PROPERTY
        contacts = self.objects.get("contacts", {})
        found = [
            {"id": contacts[i["id"]]["id"], "properties": {hubspot.ID_PROPERTY: i["id"]}}
            for i in body["inputs"]
            if i["id"] in contacts
        ]
        missing = [i["id"] for i in body["inputs"] if i["id"] not in contacts]
        if not missing:
            return httpx.Response(200, json=_batch(found))
        errors = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": "Could not get some CONTACT objects, they may be deleted or not exist.",
                "context": {"ids": missing},
            }
        ]
        return httpx.Response(207, json={**_batch(found), "numErrors": 1, "errors": errors})

    def _associate(self, entity: str, body: dict[str, Any]) -> httpx.Response:
        for given in body["inputs"]:
            self.associations.add((entity, given["from"]["id"], given["to"]["id"]))
        results = [
            {
                "from": {"id": given["from"]["id"]},
                "to": {"id": given["to"]["id"]},
                "associationSpec": {
                    "associationCategory": "HUBSPOT_DEFINED",
                    "associationTypeId": 202,
                },
            }
            for given in body["inputs"]
        ]
        return httpx.Response(200, json=_batch(results))


class SalesforceServer(CrmServer):
    def __init__(self) -> None:
        super().__init__()
        # object -> Salesforce Id -> fields
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}

    def install(self, router: respx.Router) -> None:
        router.post(SALESFORCE_TOKEN_URL).mock(side_effect=self.renew)
        router.route(host="coaching.my.salesforce.test").mock(side_effect=self.answer)

    def token_answer(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "instance_url": SALESFORCE_INSTANCE,
            "id": "https://login.salesforce.test/id/00D/005",
            "token_type": "Bearer",
            "issued_at": "1764525600000",
            "signature": "c2lnbmF0dXJl",
        }

    def stored(self, entity: str) -> dict[str, dict[str, Any]]:
        """By external id (a Note's is the marker ending its title)."""
        out = {}
        for fields in self.objects.get(entity, {}).values():
            if entity == "Note":
                key = re.search(r"\[([^\]]+)\]$", fields["Title"])[1]  # type: ignore[index]
            else:
                key = fields[salesforce.EXTERNAL_ID_FIELD]
            out[key] = fields
        return out

    def contact_of(self, entity: str, external_id: str) -> str | None:
        lookup = {"Task": "WhoId", "Note": "ParentId"}[entity]
        contact_id = self.stored(entity)[external_id].get(lookup)
        contact = self.objects.get("Contact", {}).get(contact_id)
        return contact[salesforce.EXTERNAL_ID_FIELD] if contact else None

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if scripted := self.script():
            return scripted
        if not self.authorized(request):
            return httpx.Response(
                401,
                json=[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
            )
        if self.throttled():
            return httpx.Response(
                403,
                json=[
                    {
                        "message": "TotalRequests Limit exceeded.",
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                    }
                ],
            )
        prefix = f"/services/data/{salesforce.API_VERSION}"
        path = request.url.path.removeprefix(prefix)
        body = json.loads(request.content) if request.content else None
        return self._route(request.method, path, body, request.url.params.get("q", ""))

    def _route(self, method: str, path: str, body: Any, soql: str) -> httpx.Response:
        if match := re.fullmatch(
            rf"/composite/sobjects/(\w+)/{salesforce.EXTERNAL_ID_FIELD}", path
        ):
            assert method == "PATCH"
            return self._upsert(match[1], body)
        if path == "/composite/sobjects":
            return self._create(body) if method == "POST" else self._update(body)
        if path == "/query":
            return self._query(soql)
        return httpx.Response(404, json=[{"errorCode": "NOT_FOUND", "message": "not found"}])

    def _upsert(self, entity: str, body: dict[str, Any]) -> httpx.Response:
        assert body["allOrNone"] is False and len(body["records"]) <= 200
        stored = self.objects.setdefault(entity, {})
        results = []
        for given in body["records"]:
            assert given["attributes"] == {"type": entity}
            fields = {k: v for k, v in given.items() if k != "attributes"}
            key = fields[salesforce.EXTERNAL_ID_FIELD]
            found = next(
                (i for i, f in stored.items() if f[salesforce.EXTERNAL_ID_FIELD] == key), None
            )
            record_id = found or self.new_id("003")
            stored.setdefault(record_id, {}).update(fields)
            results.append(
                {"id": record_id, "success": True, "errors": [], "created": found is None}
            )
        return httpx.Response(200, json=results)

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        results = []
        for given in body["records"]:
            entity = given["attributes"]["type"]
            if entity == "Note" and given.get("ParentId") not in self.objects.get("Contact", {}):
                results.append(
                    {
                        "success": False,
                        "errors": [
                            {
                                "statusCode": "FIELD_INTEGRITY_EXCEPTION",
                                "message": "Parent ID: id value of incorrect type",
                                "fields": ["ParentId"],
                            }
                        ],
                    }
                )
                continue
            record_id = self.new_id("002")
            self.objects.setdefault(entity, {})[record_id] = {
                k: v for k, v in given.items() if k != "attributes"
            }
            results.append({"id": record_id, "success": True, "errors": []})
        return httpx.Response(200, json=results)

    def _update(self, body: dict[str, Any]) -> httpx.Response:
        results = []
        for given in body["records"]:
            entity, record_id = given["attributes"]["type"], given["id"]
            fields = {k: v for k, v in given.items() if k not in ("attributes", "id")}
            self.objects[entity][record_id].update(fields)
            results.append({"id": record_id, "success": True, "errors": []})
        return httpx.Response(200, json=results)

    def _query(self, soql: str) -> httpx.Response:
        if match := re.fullmatch(r"SELECT Id, Title FROM Note WHERE (.+)", soql):
            markers = re.findall(r"Title LIKE '%(\[[^\]]+\])'", match[1])
            rows = [
                {"attributes": {"type": "Note"}, "Id": i, "Title": f["Title"]}
                for i, f in self.objects.get("Note", {}).items()
                if any(f["Title"].endswith(m.replace("\\", "")) for m in markers)
            ]
        elif match := re.fullmatch(
            # A pattern the adapter's SOQL must match, not a query.
            rf"SELECT Id, {salesforce.EXTERNAL_ID_FIELD} FROM Contact WHERE "  # noqa: S608
            rf"{salesforce.EXTERNAL_ID_FIELD} IN \((.+)\)",
            soql,
        ):
            keys = set(re.findall(r"'([^']*)'", match[1]))
            rows = [
                {
                    "attributes": {"type": "Contact"},
                    "Id": i,
                    salesforce.EXTERNAL_ID_FIELD: f[salesforce.EXTERNAL_ID_FIELD],
                }
                for i, f in self.objects.get("Contact", {}).items()
                if f[salesforce.EXTERNAL_ID_FIELD] in keys
            ]
        else:
            return httpx.Response(
                400, json=[{"errorCode": "MALFORMED_QUERY", "message": soql[:40]}]
            )
        return httpx.Response(200, json={"totalSize": len(rows), "done": True, "records": rows})


def _batch(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "status": "COMPLETE",
        "results": results,
        "requestedAt": STAMP,
        "startedAt": STAMP,
        "completedAt": STAMP,
    }
