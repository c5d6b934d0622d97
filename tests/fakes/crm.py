"""An in-memory CRM behind the CrmPusher port, and credentials in memory.

It keeps what the real CRMs keep that the contract tests read: records by object and external
id (an upsert updates the one there), and which contact a note or a task belongs to (a record
whose contact is not there fails, as on HubSpot and Salesforce).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coaching.domain.errors import CrmNotConnected
from coaching.ports.crm import CrmRecord, CrmToken, PushReport


class FakeCrm:
    def __init__(self, kind: str = "fake", *, contacts: str = "contacts") -> None:
        self.kind = kind  # a ready-made mapping pushes to its own CRM's kind only
        self.contacts = contacts  # the object notes and tasks belong to
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.contact_of: dict[tuple[str, str], str] = {}
        self.pushes: list[tuple[str, int]] = []  # (entity, how many records)

    def push(self, entity: str, records: Sequence[CrmRecord]) -> PushReport:
        self.pushes.append((entity, len(records)))
        stored = self.objects.setdefault(entity, {})
        report = PushReport()
        seen: set[str] = set()
        for record in reversed(records):  # the last of one external id wins
            if not record.external_id or record.external_id in seen:
                report.skipped += 1
                continue
            seen.add(record.external_id)
            contact = record.contact_external_id
            if contact and contact not in self.objects.get(self.contacts, {}):
                report.failed.append((record.external_id, "its contact is not in the CRM"))
                continue
            if record.external_id in stored:
                report.updated += 1
            else:
                report.created += 1
            stored[record.external_id] = dict(record.properties)
            if contact:
                self.contact_of[(entity, record.external_id)] = contact
        return report


class MemoryCrmCredentials:
    def __init__(self, kind: str, token: CrmToken | None = None) -> None:
        self.kind = kind
        self.token = token
        self.saved: list[CrmToken] = []

    def load(self) -> CrmToken:
        if self.token is None:
            raise CrmNotConnected(f"No {self.kind} token is stored.")
        return self.token

    def save(self, token: CrmToken) -> None:
        self.token = token
        self.saved.append(token)
