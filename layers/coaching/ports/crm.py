"""Pushing mapped export rows into a CRM (HubSpot, Salesforce), and the token it takes.

Every record carries an external id (the coaching platform's own id of the row): the CRM
upserts by it, so pushing the same rows again updates what is there and creates nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

CRM_KINDS = ("hubspot", "salesforce")


@dataclass(frozen=True)
class CrmRecord:
    """One row as the CRM's object wants it (after the mapping)."""

    external_id: str
    properties: dict[str, Any]
    # The contact (by its external id) a note or a task is about: associated with it.
    contact_external_id: str | None = None


@dataclass
class PushReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    # (external id, reason): the CRM's own words, never the record's contents.
    failed: list[tuple[str, str]] = field(default_factory=list)

    def add(self, other: PushReport) -> PushReport:
        return PushReport(
            created=self.created + other.created,
            updated=self.updated + other.updated,
            skipped=self.skipped + other.skipped,
            failed=[*self.failed, *other.failed],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": [{"external_id": key, "reason": reason} for key, reason in self.failed],
        }


class CrmPusher(Protocol):
    kind: str  # one of CRM_KINDS

    def push(self, entity: str, records: Sequence[CrmRecord]) -> PushReport:
        """Upserts ``records`` as the CRM object ``entity`` names (HubSpot ``contacts``,
        ``notes``, ``tasks``; Salesforce ``Contact``, ``Task``, ``Note``) by their external
        ids. A record the CRM refuses is in ``failed``; a CRM that stays rate limited raises
        CrmBusy, a token it refuses (and cannot be refreshed) CrmAccessDenied."""
        ...


@dataclass(frozen=True)
class CrmToken:
    """An OAuth token and what renews it. Never logged: the secrets are left out of repr."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    # Salesforce: the organization's own API host (https://<domain>.my.salesforce.com).
    instance_url: str | None = None
    # When the store last saved it (a file's mtime, a secret version's date): "connected at"
    # for the status the exports page shows. Not part of the token's JSON.
    stored_at: dt.datetime | None = field(default=None, compare=False)

    def refreshed(self, access_token: str, refresh_token: str | None = None) -> CrmToken:
        return replace(
            self,
            access_token=access_token,
            refresh_token=refresh_token or self.refresh_token,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrmToken:
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=data.get("refresh_token"),
            client_id=data.get("client_id"),
            client_secret=data.get("client_secret"),
            instance_url=data.get("instance_url"),
        )

    def to_json(self) -> dict[str, Any]:
        data = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "instance_url": self.instance_url,
        }
        return {key: value for key, value in data.items() if value is not None}


class CrmCredentials(Protocol):
    """Where one CRM's token is kept: a file of mode 0600 under $COACH_HOME/secrets locally,
    a Secrets Manager secret in AWS."""

    kind: str

    def load(self) -> CrmToken:
        """The token, with ``stored_at`` where the store knows it; CrmNotConnected when
        there is none, CrmCredentialsUnreadable (a kind of it) when there is one that cannot
        be read."""
        ...

    def save(self, token: CrmToken) -> None:
        """Keeps a refreshed token for the next push."""
        ...
