"""PLACEHOLDER until branch s15-understand lands (its file replaces this one on merge): the
signature the search use case calls, understanding nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from coaching.domain.search import PassageKind


@dataclass(frozen=True)
class NameCandidate:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Understood:
    field: str
    value: str
    label: str
    words: str


@dataclass(frozen=True)
class Understanding:
    text: str
    client_ids: frozenset[uuid.UUID] = frozenset()
    coach_ids: frozenset[uuid.UUID] = frozenset()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kinds: frozenset[PassageKind] = frozenset()
    session_types: frozenset[str] = frozenset()
    understood: list[Understood] = field(default_factory=list)


def understand(
    query: str,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    clients: Sequence[NameCandidate],
    coaches: Sequence[NameCandidate],
) -> Understanding:
    return Understanding(text=query)
