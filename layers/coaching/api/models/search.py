"""Search requests and answers: the question, its filters, the passages found."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from coaching.api.models.base import Answer
from coaching.domain.search import PassageKind

# No NUL: PostgreSQL text cannot hold one (and no question needs one).
WITHOUT_NUL = r"^[^\x00]*$"
Query = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=WITHOUT_NUL),
]
MAX_IDS = 100  # ids in one filter: a page of choices, not a dump
SessionTypeName = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=WITHOUT_NUL)
]


class Filters(BaseModel):
    """Explicit filters: each one set wins over what the question says."""

    model_config = ConfigDict(extra="forbid")

    client_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_IDS)
    coach_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_IDS)
    kinds: list[PassageKind] | None = Field(default=None, max_length=6)
    session_types: list[SessionTypeName] | None = Field(default=None, max_length=10)
    date_from: dt.date | None = None  # inclusive
    date_to: dt.date | None = None  # inclusive


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Query
    filters: Filters | None = None
    limit: int = Field(default=10, ge=1, le=50)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None


class SimilarBody(BaseModel):
    """More like one passage or summary item (``passage_id``), or the turn of a session."""

    model_config = ConfigDict(extra="forbid")

    passage_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    turn_index: int | None = Field(default=None, ge=0, le=1_000_000)
    filters: Filters | None = None
    limit: int = Field(default=10, ge=1, le=50)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SimilarBody:
        by_turn = self.session_id is not None or self.turn_index is not None
        complete_turn = self.session_id is not None and self.turn_index is not None
        if (self.passage_id is not None) == by_turn or (by_turn and not complete_turn):
            raise ValueError("name a passage_id, or a session_id and a turn_index")
        return self


class Links(Answer):
    session: str
    turn: str | None = Field(description="the session's transcript at this turn")
    summary_item: str | None = Field(description="the summary item (items only)")


class SearchResult(Answer):
    passage_id: str
    session_id: str
    session_date: dt.date | None
    source: str = Field(description="the transcript's original file name")
    client_id: str | None
    client: str | None = Field(description="the client's name; null for the coach or unknown")
    coach_id: str | None
    speaker: str | None
    kind: PassageKind
    turn_index: int | None
    turn_end: int | None
    item_index: int | None
    start: float | None = Field(description="seconds into the recording, when known")
    score: float
    matched_by: Literal["semantic", "keyword", "both"]
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) offsets into the snippet")
    links: Links


class Understood(Answer):
    field: str
    value: str
    label: str
    words: str = Field(description="the words of the question it was read from")


class AppliedFilters(Answer):
    client_ids: list[str] | None
    client_names: list[str]
    coach_ids: list[str] | None
    coach_names: list[str]
    kinds: list[PassageKind] | None
    session_types: list[str] | None
    date_from: dt.date | None
    date_to: dt.date | None
    understood: list[Understood]


class SearchAnswer(Answer):
    query: str
    results: list[SearchResult]
    filters: AppliedFilters
    degraded: list[Literal["semantic", "keyword"]] = Field(
        description="backends that did not answer: results came without them"
    )
    next_cursor: str | None


class Suggestion(Answer):
    kind: Literal["client", "coach", "tag", "query"]
    value: str
    label: str


class Suggestions(Answer):
    suggestions: list[Suggestion]
