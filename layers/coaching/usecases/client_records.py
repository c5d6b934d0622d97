"""A coach keeping their clients' records: confirming a pending client, correcting the
name, giving or changing the email address, recording an opt-out, and merging two records
of one person. The caller checks the client is visible to them (usecases/access.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from coaching.domain.clients import (
    CONTACT_FIELDS,
    ClientContact,
    ClientDetails,
    ClientDetailsUpdate,
)
from coaching.domain.errors import NotFound, Unprocessable
from coaching.ports.clients import ClientRecords, ContactDetails


def client_record(details: ClientDetails, contact: ClientContact) -> dict[str, Any]:
    return {
        "id": str(details.id),
        "name": details.name,
        "status": details.status,
        "email": contact.email,
        "phone": contact.phone,
        "opted_out": details.opted_out_at is not None,
        "opted_out_at": _iso(details.opted_out_at),
        "external_id": details.external_id,
    }


def update_client(
    records: ClientRecords,
    contacts: ContactDetails,
    org: uuid.UUID,
    client_id: uuid.UUID,
    *,
    update: ClientDetailsUpdate,
    contact: dict[str, str | None],
) -> dict[str, Any]:
    """Replaces the record's kept fields; ``contact`` sets only the fields it names."""
    details = records.update_details(org, client_id, update)
    stored = contacts.update_contact(org, client_id, contact) if details else None
    if details is None or stored is None:  # missing, or erased meanwhile
        raise NotFound(f"Client {client_id} does not exist.")
    return client_record(details, stored)


def merge_clients(
    records: ClientRecords,
    contacts: ContactDetails,
    org: uuid.UUID,
    kept: uuid.UUID,
    other: uuid.UUID,
) -> tuple[dict[str, Any], dict[str, int]]:
    """The kept record after the merge, and the rows moved. The kept record's contact
    details win; the other's fill the ones it lacks (encrypted again for the kept record:
    a ciphertext is bound to its record)."""
    if kept == other:
        raise Unprocessable("A client cannot be merged with itself.")
    theirs, ours = contacts.contact(org, other), contacts.contact(org, kept)
    missing = {
        f: getattr(theirs, f) for f in CONTACT_FIELDS if not getattr(ours, f) and getattr(theirs, f)
    }
    # Copied before the other record goes, so no address is ever lost; taken back if the
    # merge does not happen.
    if missing:
        contacts.update_contact(org, kept, missing)
    merged = None
    try:
        merged = records.merge(org, kept, other)
    finally:
        if merged is None and missing:
            contacts.update_contact(org, kept, dict.fromkeys(missing))
    if merged is None:
        gone = kept if records.details(org, kept) is None else other
        raise NotFound(f"Client {gone} does not exist.")
    details, stored = records.details(org, kept), contacts.contact(org, kept)
    if details is None:
        raise NotFound(f"Client {kept} does not exist.")
    return client_record(details, stored), merged.moved


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
