"""The coach's voice as learned from the follow-up emails they send, and the voice a draft is
written in: what the coach set wins, what was learned fills the rest (analysis/voice.py
learns it and applies it; usecases/voice_learning.py keeps it up to date)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

Formality = Literal["formal", "neutral", "informal"]


@dataclass(frozen=True)
class VoiceObservation:
    """What one sent email says about its coach's voice, compared with the draft the platform
    would have written (no client content beyond recurring prose: list items are left out)."""

    follow_up_id: uuid.UUID
    client_id: uuid.UUID
    words: int  # of the email as sent
    draft_words: int  # of the draft it was compared with
    formality: float  # 0 informal .. 1 formal
    greeting: str | None = None  # the words before the client's first name
    sign_off: str | None = None
    signature: str | None = None
    added: tuple[str, ...] = field(default=())  # prose sentences the coach wrote in
    removed: tuple[str, ...] = field(default=())  # prose sentences of the draft they deleted
    # What the coach asked of the email's summary ("more formal", "shorter"...): named
    # requests of the refinement grammar only, never free-form words.
    requests: tuple[str, ...] = field(default=())
    # The subject line as sent, the client's first name a placeholder, when the coach wrote
    # their own instead of the draft's.
    subject: str | None = None


class LearnedValue(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: str
    emails: int  # how many of the emails learned from it rests on


class LearnedLength(BaseModel):
    model_config = ConfigDict(extra="ignore")

    words: int  # the median length of the coach's emails
    ratio: float  # the median of (sent words / drafted words)
    emails: int


class LearnedFormality(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: Formality
    score: float  # 0 informal .. 1 formal, the mean over the emails
    emails: int


class LearnedPhrase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str  # "{client_first_name}" where the client's first name was
    emails: int


class LearnedVoice(BaseModel):
    """What the coach's recent sent emails agree on; a value appears once two emails (and at
    least half of those that could show it) agree on it."""

    model_config = ConfigDict(extra="ignore")

    emails: int = 0  # how many sent emails it was learned from
    greeting: LearnedValue | None = None
    sign_off: LearnedValue | None = None
    signature: LearnedValue | None = None
    length: LearnedLength | None = None
    formality: LearnedFormality | None = None
    phrases_added: list[LearnedPhrase] = []  # the coach keeps writing these in
    phrases_removed: list[LearnedPhrase] = []  # and keeps deleting these
    summary_requests: list[LearnedPhrase] = []  # asked of the summaries of the emails sent
    subject: LearnedValue | None = None  # the subject line they keep writing instead


@dataclass(frozen=True)
class Voice:
    """The voice one draft is written in (each value: the coach's, else learned, else none)."""

    greeting: str | None = None
    sign_off: str | None = None
    signature: str | None = None
    length_words: int | None = None  # a target the coach set
    length_ratio: float | None = None  # learned: drafts shrink to this share of their words
    formality: Formality | None = None
    phrases_to_use: tuple[str, ...] = ()
    phrases_to_avoid: tuple[str, ...] = ()
    subject: str | None = None  # learned: replaces the template's subject line
