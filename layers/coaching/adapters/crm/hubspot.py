"""HubSpot's CRM API v3: contacts, notes and tasks upserted in batches by a unique property.

Idempotent on HubSpot's side: every record carries ``coaching_external_id`` (a custom property
created unique, "has unique value", on each object), and ``POST /crm/v3/objects/{object}/
batch/upsert`` with ``idProperty`` updates the record holding that value or creates it, so
pushing the same rows again creates nothing new. A note or a task is then associated with its
contact (found by the same property) through the v4 associations API's default association,
which is idempotent too.

Rate limits: a 429 says which policy it hit. The rolling ten-second window is waited out
(Retry-After when sent, else ten seconds); the daily limit is not worth waiting for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from coaching.adapters.crm.session import CrmSession, Outcome, retry_after
from coaching.ports.crm import CrmRecord, PushReport

API_URL = "https://api.hubapi.com"
OAUTH_URL = "https://api.hubapi.com/oauth/v1/token"
ID_PROPERTY = "coaching_external_id"
BATCH_SIZE = 100  # HubSpot's limit per batch request
OBJECTS = ("contacts", "notes", "tasks")
_TEN_SECONDS = 10.0


def classify(response: httpx.Response) -> Outcome:
    status = response.status_code
    if status < 300:  # 200, and 207 (multi-status: some inputs failed)
        return Outcome("ok")
    body = _json(response)
    if status == 401:
        return Outcome("expired", code=str(body.get("category", "")))
    if status == 429:
        policy = str(body.get("policyName", ""))
        if policy.upper().startswith("DAILY"):
            return Outcome("rejected", code=policy)
        return Outcome("rate_limited", retry_after(response) or _TEN_SECONDS, code=policy)
    if status >= 500:
        return Outcome("transient", code=str(status))
    return Outcome("rejected", code=str(body.get("category", "")))


class HubSpotPusher:
    kind = "hubspot"

    def __init__(self, session: CrmSession, *, api_url: str = API_URL) -> None:
        self._session = session
        self._api_url = api_url.rstrip("/")

    def push(self, entity: str, records: Sequence[CrmRecord]) -> PushReport:
        report, unique = _deduplicated(records)
        for start in range(0, len(unique), BATCH_SIZE):
            batch = unique[start : start + BATCH_SIZE]
            # A note or a task without its contact would be an orphan: it fails, unsent.
            contacts = self._contacts_of(batch)
            orphans = [
                r for r in batch if r.contact_external_id and r.contact_external_id not in contacts
            ]
            report.failed.extend((r.external_id, "its contact is not in HubSpot") for r in orphans)
            batch = [r for r in batch if r not in orphans]
            if not batch:
                continue
            upserted, batch_report = self._upsert(entity, batch)
            report = report.add(batch_report)
            self._associate(entity, batch, upserted, contacts)
        return report

    def _upsert(self, entity: str, batch: Sequence[CrmRecord]) -> tuple[dict[str, str], PushReport]:
        """HubSpot's ids of the records it upserted (by external id), and the counts."""
        body = {
            "inputs": [
                {
                    "id": record.external_id,
                    "idProperty": ID_PROPERTY,
                    "properties": {
                        **_strings(record.properties),
                        ID_PROPERTY: record.external_id,
                    },
                }
                for record in batch
            ]
        }
        answer = _json(
            self._session.send(
                "POST", f"{self._api_url}/crm/v3/objects/{entity}/batch/upsert", json=body
            )
        )
        report = PushReport()
        upserted: dict[str, str] = {}
        for result in answer.get("results", []):
            external_id = str(result.get("properties", {}).get(ID_PROPERTY, ""))
            upserted[external_id] = str(result["id"])
            if result.get("new"):
                report.created += 1
            else:
                report.updated += 1
        reason = _error_reason(answer)
        report.failed.extend(
            (record.external_id, reason) for record in batch if record.external_id not in upserted
        )
        return upserted, report

    def _contacts_of(self, batch: Sequence[CrmRecord]) -> dict[str, str]:
        wanted = sorted({r.contact_external_id for r in batch if r.contact_external_id})
        return self._contact_ids(wanted) if wanted else {}

    def _associate(
        self,
        entity: str,
        batch: Sequence[CrmRecord],
        upserted: dict[str, str],
        contacts: dict[str, str],
    ) -> None:
        """Each note or task with its contact (HubSpot's default association type, which
        is idempotent: associating again changes nothing)."""
        inputs = [
            {"from": {"id": upserted[r.external_id]}, "to": {"id": contacts[r.contact_external_id]}}
            for r in batch
            if r.contact_external_id and r.external_id in upserted
        ]
        if inputs:
            self._session.send(
                "POST",
                f"{self._api_url}/crm/v4/associations/{entity}/contacts/batch/associate/default",
                json={"inputs": inputs},
            )

    def _contact_ids(self, external_ids: list[str]) -> dict[str, str]:
        answer = _json(
            self._session.send(
                "POST",
                f"{self._api_url}/crm/v3/objects/contacts/batch/read",
                json={
                    "idProperty": ID_PROPERTY,
                    "properties": [ID_PROPERTY],
                    "inputs": [{"id": external_id} for external_id in external_ids],
                },
            )
        )
        return {
            str(result.get("properties", {}).get(ID_PROPERTY, "")): str(result["id"])
            for result in answer.get("results", [])
        }


def _deduplicated(records: Sequence[CrmRecord]) -> tuple[PushReport, list[CrmRecord]]:
    """One input per external id (HubSpot refuses a batch naming one twice): the last wins,
    earlier ones and records without an id are skipped."""
    latest: dict[str, CrmRecord] = {}
    skipped = 0
    for record in records:
        if not record.external_id:
            skipped += 1
            continue
        if record.external_id in latest:
            skipped += 1
        latest[record.external_id] = record
    return PushReport(skipped=skipped), list(latest.values())


def _strings(properties: dict[str, Any]) -> dict[str, str]:
    """HubSpot's property values are strings; None leaves a property as it is."""
    out: dict[str, str] = {}
    for name, value in properties.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out


def _error_reason(answer: dict[str, Any]) -> str:
    errors = answer.get("errors") or []
    if not errors:
        return "not upserted"
    first = errors[0]
    return str(first.get("category") or first.get("status") or "error")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
