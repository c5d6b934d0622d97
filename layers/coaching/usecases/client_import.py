"""Importing a coach's client list (CSV: name, email, optional external id): each row creates
a confirmed client, updates the one it names (by external id, else by name in any case), or
is skipped with the reason, so the coach can fix the file and import it again (a second
import of the same file skips every row as unchanged)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Literal

from coaching.domain.clients import ClientDetails, ClientDetailsUpdate
from coaching.domain.errors import Conflict, Unprocessable
from coaching.domain.identity import Visibility
from coaching.ports.clients import ClientRecords, ClientStore, ContactDetails

MAX_ROWS = 5000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEADERS = {"name": "name", "email": "email", "external_id": "external_id", "id": "external_id"}
_LIMITS = {"name": 255, "email": 254, "external_id": 100}

Outcome = Literal["created", "updated", "skipped"]


@dataclass(frozen=True)
class RowReport:
    row: int  # the line's number in the file, the header being line 1
    result: Outcome
    client_id: uuid.UUID | None = None
    reason: str | None = None  # why skipped
    changed: list[str] = field(default_factory=list)  # what an update changed

    def view(self) -> dict[str, object]:
        return {
            "row": self.row,
            "result": self.result,
            "client_id": None if self.client_id is None else str(self.client_id),
            "reason": self.reason,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class ClientImport:
    records: ClientRecords
    contacts: ContactDetails
    clients: ClientStore
    visibility: Visibility

    def run(self, data: bytes) -> list[RowReport]:
        reports: list[RowReport] = []
        seen: dict[str, int] = {}
        for line, row in _rows(data):
            problem = _problem(row)
            # One client per row: a name or an external id already given names the same one.
            keys = [f"name:{row.get('name', '').casefold()}"]
            keys += [f"id:{row['external_id']}"] if row.get("external_id") else []
            repeated = next((seen[k] for k in keys if k in seen), None)
            if problem is None and repeated is not None:
                problem = f"repeats row {repeated}"
            if problem:
                reports.append(RowReport(line, "skipped", reason=problem))
                continue
            seen.update(dict.fromkeys(keys, line))
            reports.append(self._one(line, row))
        return reports

    def _one(self, line: int, row: dict[str, str]) -> RowReport:
        org = self.visibility.organization_id
        name, email, external_id = row["name"], row.get("email"), row.get("external_id")
        found = self.records.find(org, external_id=external_id, name=name)
        if found is None:
            created = self.records.create(org, name=name, external_id=external_id)
            if created is None:
                return RowReport(line, "skipped", reason="another client has this name")
            if email:
                self.contacts.update_contact(org, created.id, {"email": email})
            return RowReport(line, "created", created.id)
        if self.visibility.coach_ids is not None and (
            self.clients.get_client(org, self.visibility.coach_ids, found.id) is None
        ):
            return RowReport(line, "skipped", reason="a client you cannot see has this name")
        return self._update(line, found, name, email, external_id)

    def _update(
        self,
        line: int,
        found: ClientDetails,
        name: str,
        email: str | None,
        external_id: str | None,
    ) -> RowReport:
        org = self.visibility.organization_id
        if external_id and found.external_id and found.external_id != external_id:
            return RowReport(line, "skipped", found.id, reason="the client has another external id")
        update = ClientDetailsUpdate(
            name=name,
            status="active",  # on the coach's own list: confirmed
            opted_out=found.opted_out_at is not None,
            external_id=external_id or found.external_id,
        )
        changed = [
            what
            for what, before, after in (
                ("name", found.name, update.name),
                ("status", found.status, update.status),
                ("external_id", found.external_id, update.external_id),
            )
            if before != after
        ]
        current = self.contacts.contact(org, found.id).email
        if email and (current or "").casefold() != email.casefold():
            changed.append("email")
        if not changed:
            return RowReport(line, "skipped", found.id, reason="unchanged")
        try:
            self.records.update_details(org, found.id, update)
        except Conflict:
            return RowReport(line, "skipped", found.id, reason="another client has this name")
        if "email" in changed:
            self.contacts.update_contact(org, found.id, {"email": email})
        return RowReport(line, "updated", found.id, changed=sorted(changed))


def _rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows by line number, with the known columns under their names, trimmed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable("The file is not UTF-8 text.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        columns = [_HEADERS.get(h.strip().casefold().replace(" ", "_")) for h in header or []]
        if "name" not in columns:
            raise Unprocessable(
                "The first line must name the columns: name, email, external_id (optional)."
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank line
            if len(rows) == MAX_ROWS:
                raise Unprocessable(f"Import at most {MAX_ROWS} rows at a time.")
            cells = {c: v.strip() for c, v in zip(columns, values, strict=False) if c and v.strip()}
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise Unprocessable(f"The file is not CSV: {error}") from None
    return rows


def _problem(row: dict[str, str]) -> str | None:
    if not row.get("name"):
        return "no name"
    for column, limit in _LIMITS.items():
        if len(row.get(column, "")) > limit:
            return f"{column} longer than {limit} characters"
    if row.get("email") and not _EMAIL.match(row["email"]):
        return "not an email address"
    return None
