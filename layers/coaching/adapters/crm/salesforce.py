"""Salesforce's REST API: Contacts and Tasks upserted by an External ID field, summaries as
classic Notes.

Idempotent on Salesforce's side: Contact and Task carry ``Coaching_External_Id__c`` (a custom
text field marked External ID and Unique), and sObject Collections upsert
(``PATCH /services/data/vXX.X/composite/sobjects/{SObject}/Coaching_External_Id__c``, 200
records a request) updates the record holding that value or creates it.

Summaries go in as classic ``Note`` records, not ``ContentNote``: a Note is one record with
its ``ParentId`` (the Contact) and a plain-text ``Body``, while a ContentNote needs HTML
content in base64 and a second ``ContentDocumentLink`` record to reach the Contact. Neither
object can carry a custom field, so a Note's external id is the marker ``[<id>]`` at the end of
its Title: the pusher finds existing Notes by it (SOQL) and updates them by their Id, and
creates only the ones it does not find.

A Task's ``WhoId`` and a Note's ``ParentId`` are the Contact's Salesforce Id, looked up by its
external id. Rate limits: ``REQUEST_LIMIT_EXCEEDED`` (HTTP 403) and 429 are retried with
back-off, then CrmBusy; an expired session (401 ``INVALID_SESSION_ID``) is refreshed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from coaching.adapters.crm.session import CrmSession, Outcome, retry_after
from coaching.ports.crm import CrmRecord, PushReport

OAUTH_URL = "https://login.salesforce.com/services/oauth2/token"
API_VERSION = "v62.0"
EXTERNAL_ID_FIELD = "Coaching_External_Id__c"
BATCH_SIZE = 200  # sObject Collections' limit per request
NOTE_BATCH_SIZE = 50  # keeps the SOQL that finds Notes by their title marker short
OBJECTS = ("Contact", "Task", "Note")
# The Contact lookup each object's record points at.
_CONTACT_FIELD = {"Task": "WhoId", "Note": "ParentId"}
_TITLE_LIMIT = 80  # Note.Title's length


def classify(response: httpx.Response) -> Outcome:
    status = response.status_code
    if status < 300:
        return Outcome("ok")
    code = _error_code(response)
    if status == 401:
        return Outcome("expired", code=code)
    if status == 429 or code == "REQUEST_LIMIT_EXCEEDED":
        return Outcome("rate_limited", retry_after(response), code=code or str(status))
    if status >= 500:
        return Outcome("transient", code=code or str(status))
    return Outcome("rejected", code=code)


def note_title(title: str, external_id: str) -> str:
    marker = f" [{external_id}]"
    return title[: _TITLE_LIMIT - len(marker)].rstrip() + marker


class SalesforcePusher:
    kind = "salesforce"

    def __init__(self, session: CrmSession, *, api_version: str = API_VERSION) -> None:
        self._session = session
        self._api_version = api_version

    @property
    def _base(self) -> str:
        instance = (self._session.token.instance_url or "").rstrip("/")
        return f"{instance}/services/data/{self._api_version}"

    def push(self, entity: str, records: Sequence[CrmRecord]) -> PushReport:
        report, unique = _deduplicated(records)
        size = NOTE_BATCH_SIZE if entity == "Note" else BATCH_SIZE
        for start in range(0, len(unique), size):
            batch = unique[start : start + size]
            batch, unlinked = self._linked_to_contacts(entity, batch)
            report = report.add(unlinked)
            if not batch:
                continue
            if entity == "Note":
                report = report.add(self._push_notes(batch))
            else:
                report = report.add(self._upsert(entity, batch))
        return report

    def _upsert(self, entity: str, batch: Sequence[CrmRecord]) -> PushReport:
        body = {
            "allOrNone": False,
            "records": [
                {
                    "attributes": {"type": entity},
                    **record.properties,
                    EXTERNAL_ID_FIELD: record.external_id,
                }
                for record in batch
            ],
        }
        answer = self._session.send(
            "PATCH", f"{self._base}/composite/sobjects/{entity}/{EXTERNAL_ID_FIELD}", json=body
        ).json()
        return _collection_report(batch, answer, created=None)

    def _push_notes(self, batch: Sequence[CrmRecord]) -> PushReport:
        existing = self._notes_by_marker([record.external_id for record in batch])
        records = [
            {
                "attributes": {"type": "Note"},
                **record.properties,
                "Title": note_title(
                    str(record.properties.get("Title") or "Coaching summary"), record.external_id
                ),
            }
            for record in batch
        ]
        new = [
            (r, body)
            for r, body in zip(batch, records, strict=True)
            if r.external_id not in existing
        ]
        old = [
            (r, body) for r, body in zip(batch, records, strict=True) if r.external_id in existing
        ]
        report = PushReport()
        if new:
            answer = self._session.send(
                "POST",
                f"{self._base}/composite/sobjects",
                json={"allOrNone": False, "records": [body for _, body in new]},
            ).json()
            report = report.add(_collection_report([r for r, _ in new], answer, created=True))
        if old:
            # A Note's parent is fixed once created: only its title and body change.
            updates = [
                {
                    "attributes": {"type": "Note"},
                    "id": existing[record.external_id],
                    **{k: v for k, v in body.items() if k not in ("attributes", "ParentId")},
                }
                for record, body in old
            ]
            answer = self._session.send(
                "PATCH",
                f"{self._base}/composite/sobjects",
                json={"allOrNone": False, "records": updates},
            ).json()
            report = report.add(_collection_report([r for r, _ in old], answer, created=False))
        return report

    def _notes_by_marker(self, external_ids: list[str]) -> dict[str, str]:
        """Salesforce Ids of the Notes whose titles end with these external ids' markers."""
        conditions = " OR ".join(f"Title LIKE '%[{_soql_like(key)}]'" for key in external_ids)
        # SOQL, not SQL, sent over HTTP: each value escaped by _soql_like.
        rows = self._query(f"SELECT Id, Title FROM Note WHERE {conditions}")  # noqa: S608
        found: dict[str, str] = {}
        for row in rows:
            title = str(row.get("Title", ""))
            for key in external_ids:
                if title.endswith(f"[{key}]"):
                    found[key] = str(row["Id"])
        return found

    def _linked_to_contacts(
        self, entity: str, batch: Sequence[CrmRecord]
    ) -> tuple[list[CrmRecord], PushReport]:
        """The batch with each record's Contact lookup filled in; records whose Contact is not
        in Salesforce fail (a Note cannot exist without its parent)."""
        lookup = _CONTACT_FIELD.get(entity)
        wanted = sorted({r.contact_external_id for r in batch if r.contact_external_id})
        if lookup is None or not wanted:
            return list(batch), PushReport()
        ids = ", ".join(f"'{_soql(key)}'" for key in wanted)
        # SOQL, not SQL, sent over HTTP: each value escaped by _soql.
        field_name = EXTERNAL_ID_FIELD
        soql = f"SELECT Id, {field_name} FROM Contact WHERE {field_name} IN ({ids})"  # noqa: S608
        rows = self._query(soql)
        contacts = {str(row[EXTERNAL_ID_FIELD]): str(row["Id"]) for row in rows}
        linked: list[CrmRecord] = []
        report = PushReport()
        for record in batch:
            contact = record.contact_external_id
            if contact is None:
                linked.append(record)
            elif contact in contacts:
                properties = {**record.properties, lookup: contacts[contact]}
                linked.append(CrmRecord(record.external_id, properties, contact))
            else:
                report.failed.append((record.external_id, "its contact is not in Salesforce"))
        return linked, report

    def _query(self, soql: str) -> list[dict[str, Any]]:
        answer = self._session.send("GET", f"{self._base}/query", params={"q": soql}).json()
        rows: list[dict[str, Any]] = list(answer.get("records", []))
        while answer.get("nextRecordsUrl"):
            instance = (self._session.token.instance_url or "").rstrip("/")
            answer = self._session.send("GET", instance + answer["nextRecordsUrl"]).json()
            rows.extend(answer.get("records", []))
        return rows


def _collection_report(
    batch: Sequence[CrmRecord], answer: Any, *, created: bool | None
) -> PushReport:
    """sObject Collections answer one result per record, in the request's order."""
    report = PushReport()
    for record, result in zip(batch, answer if isinstance(answer, list) else [], strict=False):
        if result.get("success"):
            if result.get("created", created):
                report.created += 1
            else:
                report.updated += 1
        else:
            errors = result.get("errors") or [{}]
            report.failed.append((record.external_id, str(errors[0].get("statusCode", "error"))))
    answered = len(answer) if isinstance(answer, list) else 0
    report.failed.extend((record.external_id, "no answer") for record in batch[answered:])
    return report


def _deduplicated(records: Sequence[CrmRecord]) -> tuple[PushReport, list[CrmRecord]]:
    latest: dict[str, CrmRecord] = {}
    skipped = 0
    for record in records:
        if not record.external_id or record.external_id in latest:
            skipped += 1
        if record.external_id:
            latest[record.external_id] = record
    return PushReport(skipped=skipped), list(latest.values())


def _soql(value: str) -> str:
    """A value inside a SOQL string literal: quotes and backslashes escaped (the values are
    ids, but never trusted)."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _soql_like(value: str) -> str:
    """The same inside a LIKE pattern, its wildcards escaped as well."""
    return _soql(value).replace("%", "\\%").replace("_", "\\_")


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode", ""))
    if isinstance(body, dict):
        return str(body.get("error", ""))
    return ""
