"""Clients across sessions, their erasure, and the coach's own profile.

``coach_ids`` is a Visibility's: None for every session of the organization (admins), else
only sessions run by those coaches. A client is visible when they appear in a visible
session (an admin sees every client of the organization, with sessions or not).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.clients import (
    Appearance,
    ClientContact,
    ClientDetails,
    ClientDetailsUpdate,
    ClientOverview,
    ClientRecord,
    ClientStatus,
    CoachIds,
    CoachProfile,
    CoachProfileUpdate,
    Erasure,
    Merge,
)
from coaching.domain.transcript import Turn


class ClientStore(Protocol):
    def list_clients(  # noqa: PLR0913 - one query's filters, keyword-only after the scope
        self,
        org: uuid.UUID,
        coach_ids: CoachIds,
        *,
        status: ClientStatus | None,
        name_contains: str | None,
        limit: int,
        offset: int,
        email_indexes: list[bytes] | None = None,
        by_priority: bool = False,
    ) -> list[ClientOverview]:
        """By name, then id (``by_priority``: the latest session's follow-up priority first,
        highest first, clients without one last). ``email_indexes``: only clients whose email
        has one of these keyed hashes (ContactDetails.email_lookup)."""
        ...

    def get_client(
        self, org: uuid.UUID, coach_ids: CoachIds, client_id: uuid.UUID
    ) -> ClientRecord | None:
        """None when missing, in another organization, or in no visible session."""
        ...

    def appearances(
        self, org: uuid.UUID, coach_ids: CoachIds, client_id: uuid.UUID
    ) -> list[Appearance]:
        """Visible sessions the client was in, oldest first."""
        ...

    def turns_of(self, org: uuid.UUID, session_id: uuid.UUID, speakers: list[str]) -> list[Turn]:
        """Those speakers' turns of a session, in order."""
        ...

    def erase_client(self, org: uuid.UUID, client_id: uuid.UUID) -> Erasure | None:
        """Removes the client and everything said by or about them, in one transaction;
        None when there is no such client."""
        ...


class ContactDetails(Protocol):
    """Clients' contact details, stored encrypted field by field (ports/field_crypto.py)."""

    def contact(self, org: uuid.UUID, client_id: uuid.UUID) -> ClientContact: ...

    def update_contact(
        self, org: uuid.UUID, client_id: uuid.UUID, changes: dict[str, str | None]
    ) -> ClientContact | None:
        """Sets the fields named in ``changes`` (None clears one); None if no such client."""
        ...

    def email_lookup(self, org: uuid.UUID, email: str) -> list[bytes]:
        """The keyed hashes a stored email equal to ``email`` may have (any key version)."""
        ...

    def reencrypt(self, org: uuid.UUID, below_version: int) -> int:
        """Every field encrypted under a data key older than ``below_version`` encrypted again
        under the current one; how many clients changed."""
        ...

    def encrypt_plaintext(self) -> int:
        """System task: contact details stored before encryption (migration 0012) encrypted,
        their plaintext cleared; how many clients changed."""
        ...


class CoachProfiles(Protocol):
    def get_profile(self, org: uuid.UUID, coach_id: uuid.UUID) -> CoachProfile | None: ...

    def update_profile(
        self, org: uuid.UUID, coach_id: uuid.UUID, update: CoachProfileUpdate
    ) -> CoachProfile | None:
        """None when the organization has no such coach."""
        ...


class ClientRecords(Protocol):
    """Clients' records as the coach keeps them: name, confirmation, opt-out, external id;
    merging two records of one person; finding and creating records for an import."""

    def details(self, org: uuid.UUID, client_id: uuid.UUID) -> ClientDetails | None: ...

    def update_details(
        self,
        org: uuid.UUID,
        client_id: uuid.UUID,
        update: ClientDetailsUpdate,
    ) -> ClientDetails | None:
        """None if no such client; Conflict when another client has the name or external id.
        An opt-out keeps the time it was first recorded."""
        ...

    def find(self, org: uuid.UUID, *, external_id: str | None, name: str) -> ClientDetails | None:
        """By external id when given, else by name (any case)."""
        ...

    def create(self, org: uuid.UUID, *, name: str, external_id: str | None) -> ClientDetails | None:
        """A confirmed client; None when the name or external id is taken meanwhile."""
        ...

    def merge(self, org: uuid.UUID, kept: uuid.UUID, other: uuid.UUID) -> Merge | None:
        """Moves the other's session results, summaries, follow-ups and participations to
        ``kept`` and deletes the other, in one transaction; None if either is missing.
        Conflict when both appear in one session (two people, not one)."""
        ...
