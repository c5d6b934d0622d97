"""Natural-language search: what is indexed, what a query asks, what it finds.

PostgreSQL holds every passage and its vector (the source of truth); a vector index and a
keyword index (pgvector and full-text search locally; Pinecone and OpenSearch in AWS) only
answer passage ids, which are read back from PostgreSQL and checked again against what the
caller may see before anything is shown.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# A transcript passage, or one summary item (by its summary list), or the session overview.
PassageKind = Literal["passage", "win", "challenge", "action_item", "recommendation", "overview"]
ITEM_KINDS: tuple[PassageKind, ...] = ("win", "challenge", "action_item", "recommendation")
# Which part of a result matched the question.
MatchedBy = Literal["semantic", "keyword", "both"]
# The names `degraded` may carry: a backend that did not answer, so results came without it.
Backend = Literal["semantic", "keyword"]

# Namespace for passage ids: the same passage gets the same id on every indexing, so an
# upsert to a remote index replaces rather than duplicates.
PASSAGE_NAMESPACE = uuid.UUID("6f1d3c52-8a59-4c1e-9a0e-3d5e2b7c4a10")


def passage_id(session_id: uuid.UUID, kind: PassageKind, *position: object) -> uuid.UUID:
    """Stable id: (session, kind, turn index) for passages, (session, kind, client, item
    number) for items, (session, "overview") for the overview."""
    key = ":".join([str(session_id), kind, *(str(part) for part in position)])
    return uuid.uuid5(PASSAGE_NAMESPACE, key)


class Passage(BaseModel):
    """One indexed text with everything a filter or a result needs."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    organization_id: uuid.UUID
    session_id: uuid.UUID
    coach_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None  # None: the coach, an unknown speaker, the overview
    client_name: str | None = None
    speaker: str | None = None  # as the transcript names them; None for items and overview
    kind: PassageKind
    turn_index: int | None = None  # first turn of a passage; an item's first evidence turn
    turn_end: int | None = None  # last turn a passage spans (inclusive)
    item_index: int | None = None  # position of an item in its summary list
    start: float | None = None  # seconds into the recording, when the transcript has times
    session_date: dt.date | None = None
    session_type: str | None = None
    tags: tuple[str, ...] = ()  # the client's tags
    source: str  # the transcript's original file name
    text: str = Field(min_length=1)


class SearchFilters(BaseModel):
    """What narrows a search. Every backend applies all of them; None means no limit.

    ``coach_ids`` carries the caller's visibility (a coach: themself; a lead: the team);
    None only for an admin. It is never taken from a request without intersecting it with
    what the caller may see.
    """

    model_config = ConfigDict(frozen=True)

    coach_ids: frozenset[uuid.UUID] | None = None
    client_ids: frozenset[uuid.UUID] | None = None
    session_ids: frozenset[uuid.UUID] | None = None
    kinds: frozenset[PassageKind] | None = None
    session_types: frozenset[str] | None = None
    date_from: dt.date | None = None  # inclusive
    date_to: dt.date | None = None  # inclusive


class Hit(BaseModel):
    """A backend's answer: a passage id and its score in that backend (higher is better)."""

    model_config = ConfigDict(frozen=True)

    passage_id: uuid.UUID
    score: float
