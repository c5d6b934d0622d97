"""Clients across sessions, their erasure, and the coach's own profile.

``coach_ids`` is a Visibility's: None for every session of the organization (admins), else
only sessions run by those coaches. A client is visible when they appear in a visible
session (an admin sees every client of the organization, with sessions or not).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from coaching.domain.transcript import Turn

ClientStatus = Literal["pending", "active"]
# What an erased client's turns and speaking statistics say in their place.
REMOVED_TEXT = "[removed at the client's request]"
REMOVED_NAME = "Removed client"
CoachIds = frozenset[uuid.UUID] | None


@dataclass(frozen=True)
class ClientOverview:
    id: uuid.UUID
    name: str
    status: str
    sessions: int  # visible sessions they appear in
    last_session_date: dt.date | None
    latest_engagement: str | None  # of the latest analysed visible session
    latest_priority: float | None


@dataclass(frozen=True)
class ClientRecord:
    id: uuid.UUID
    name: str
    status: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Appearance:
    """One session a client was in, with what was measured and committed there."""

    session_id: uuid.UUID
    session_date: dt.date  # the session's date, else the day it was received
    session_type: str | None
    coach_name: str | None
    speaker: str  # the client's name in that session's transcript
    sole_client: bool  # the only client of the session: every coach turn is about them
    speaking_time_seconds: float
    speaking_share: float
    engagement_level: str | None  # None until the session is analysed
    priority_score: float | None
    breakthroughs: int
    summary_status: Literal["draft", "approved"] | None
    action_items: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Erasure:
    """What removing a client changed."""

    sessions: list[uuid.UUID]  # sessions they were in: their transcript files still hold them
    overviews_cleared: list[uuid.UUID]  # sessions whose overview must be written again
    removed: dict[str, int]  # rows per table


class ClientStore(Protocol):
    def list_clients(
        self,
        org: uuid.UUID,
        coach_ids: CoachIds,
        *,
        status: ClientStatus | None,
        name_contains: str | None,
        limit: int,
        offset: int,
        email_indexes: list[bytes] | None = None,
    ) -> list[ClientOverview]:
        """By name, then id. ``email_indexes``: only clients whose email has one of these
        keyed hashes (ContactDetails.email_lookup)."""
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


@dataclass(frozen=True)
class ClientContact:
    """A client's contact details, decrypted for a caller who may see the client."""

    email: str | None = None
    phone: str | None = None


CONTACT_FIELDS = ("email", "phone")


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


Tone = Literal["warm", "direct", "formal"]
# Follow-up emails use at most 200 characters of each (usecases/follow_up_rendering.py).
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class VoiceProfile(BaseModel):
    """How the coach's follow-up emails greet, sound and sign off (empty: the defaults)."""

    model_config = ConfigDict(extra="forbid")

    greeting: ShortText = Field(default="", description='before the first name, e.g. "Hi"')
    sign_off: ShortText = Field(default="", description='e.g. "Warm regards"')
    tone: Tone = "warm"
    signature: ShortText = Field(default="", description="the name under the sign-off")


class NotificationPreferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email_on_ready: bool = Field(default=True, description="email when a session is analysed")
    email_on_failure: bool = Field(default=True, description="email when processing fails")


class CoachProfileUpdate(BaseModel):
    """A PUT replaces all three; fields left out of the nested objects take their defaults."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    voice_profile: VoiceProfile
    notification_preferences: NotificationPreferences


class CoachProfile(CoachProfileUpdate):
    coach_id: uuid.UUID
    email: str


class CoachProfiles(Protocol):
    def get_profile(self, org: uuid.UUID, coach_id: uuid.UUID) -> CoachProfile | None: ...

    def update_profile(
        self, org: uuid.UUID, coach_id: uuid.UUID, update: CoachProfileUpdate
    ) -> CoachProfile | None:
        """None when the organization has no such coach."""
        ...
