"""Clients across sessions as records (overviews, appearances, erasures, contact details)
and the coach's own profile; the client ports (ports/clients.py) store and return them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)

from coaching.domain.notices import Delivery, QuietHours, TimeZoneName
from coaching.domain.voice import Formality, LearnedVoice

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
    email_suppressed: bool = False  # a hard bounce or complaint: nothing is sent to it


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
    # Search passages of those sessions, removed: the remote indexes drop them too.
    passage_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class SpeakerClient:
    """The client record a client speaker of a session is linked to."""

    id: uuid.UUID
    name: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientContact:
    """A client's contact details, decrypted for a caller who may see the client."""

    email: str | None = None
    phone: str | None = None


CONTACT_FIELDS = ("email", "phone")

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
    # What is otherwise learned from the emails the coach sends (domain/voice.py): a value set
    # here wins over the learned one; unset (null) ones are left out of the answer.
    length_words: int | None = Field(
        default=None, ge=20, le=1000, description="how many words a draft aims at"
    )
    formality: Formality | None = Field(default=None, description="contractions or none")
    phrases_to_use: list[ShortText] | None = Field(
        default=None, max_length=10, description="sentences every draft ends with ([]: none)"
    )
    phrases_to_avoid: list[ShortText] | None = Field(
        default=None, max_length=20, description="sentences no draft keeps ([]: none)"
    )

    @model_serializer(mode="wrap")
    def _without_unset_pins(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        return {k: v for k, v in dumped.items() if v is not None or k not in VOICE_PINS}


VOICE_PINS = frozenset({"length_words", "formality", "phrases_to_use", "phrases_to_avoid"})


class NotificationPreferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email_on_ready: bool = Field(default=True, description="email when a session is analysed")
    email_on_failure: bool = Field(default=True, description="email when processing fails")
    email_on_follow_up_failure: bool = Field(
        default=True, description="email when a follow-up to a client could not be sent"
    )
    delivery: Delivery = Field(
        default="immediately", description="each notice at once, or one daily digest"
    )
    digest_hour: int = Field(default=8, ge=0, le=23, description="local hour the digest goes")
    time_zone: TimeZoneName = Field(default="UTC", description="IANA zone, e.g. Europe/London")
    quiet_hours: QuietHours | None = Field(
        default=None, description="no email then; what comes is sent when they end"
    )


class CoachProfileUpdate(BaseModel):
    """A PUT replaces all three; fields left out of the nested objects take their defaults."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    voice_profile: VoiceProfile
    notification_preferences: NotificationPreferences


class CoachProfile(CoachProfileUpdate):
    coach_id: uuid.UUID
    email: str
    # Beside what the coach set: what their sent emails taught (read-only).
    learned_voice: LearnedVoice = LearnedVoice()


@dataclass(frozen=True)
class ClientDetails:
    """The parts of a client's record the coach keeps (besides the encrypted contact)."""

    id: uuid.UUID
    name: str
    status: str
    opted_out_at: dt.datetime | None
    external_id: str | None
    # A hard bounce or a complaint (SES, migration 0019): nothing is sent to the address
    # until the coach changes it.
    email_suppressed_at: dt.datetime | None = None
    email_suppressed_reason: str | None = None


@dataclass(frozen=True)
class ClientDetailsUpdate:
    """A whole replacement of the kept fields (an opt-out keeps when it was first recorded)."""

    name: str
    status: ClientStatus
    opted_out: bool
    external_id: str | None


@dataclass(frozen=True)
class Merge:
    """What merging one client record into another moved (rows per table)."""

    moved: dict[str, int]
