"""In-memory ports for the search use case (usecases/search.py): a bag-of-words embedder, a
store, both indexes (which may be down, or answer stale ids), names and recent questions."""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections.abc import Sequence

from coaching.domain.search import Hit, Passage, SearchFilters
from coaching.ports.embedder import EmbeddingUnavailable
from coaching.ports.search_index import SearchBackendUnavailable
from coaching.ports.search_vocabulary import NamedClient, NamedCoach
from coaching.usecases.search import allows

WORD = re.compile(r"\w+")
MAYA = uuid.UUID(int=10)  # a coach
RAVI = uuid.UUID(int=11)  # another coach, on nobody's team
LEE = uuid.UUID(int=12)  # a lead, Maya on their team
MARCUS = uuid.UUID(int=20)
PRIYA = uuid.UUID(int=21)


class Embedder:
    model = "fake-bag-of-words"
    dimensions = 64

    def __init__(self, *, down: bool = False) -> None:
        self.down = down

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if self.down:
            raise EmbeddingUnavailable("down")
        return [self._vector(text) for text in texts]

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for word in (w for w in WORD.findall(text.lower()) if len(w) > 4):
            vector[int(hashlib.sha256(word[:5].encode()).hexdigest(), 16) % self.dimensions] += 1
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]


class Store:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, tuple[Passage, list[float] | None]] = {}

    def add(self, passage: Passage, vector: list[float] | None) -> None:
        self.rows[passage.id] = (passage, vector)

    def load(self, org, ids):
        return [
            self.rows[i][0]
            for i in ids
            if i in self.rows and self.rows[i][0].organization_id == org
        ]

    def vectors(self, org, ids, model):
        return {
            i: self.rows[i][1]
            for i in ids
            if i in self.rows and self.rows[i][0].organization_id == org and self.rows[i][1]
        }


def _passes(passage: Passage, org, filters: SearchFilters) -> bool:
    return allows(filters, org, passage)


class Vectors:
    name = "fake"

    def __init__(
        self, store: Store, *, down: bool = False, stale: Sequence[uuid.UUID] = ()
    ) -> None:
        self.store, self.down, self.stale = store, down, list(stale)

    def query(self, org, vector, filters, limit):
        if self.down:
            raise SearchBackendUnavailable("down")
        scored = [
            Hit(passage_id=p.id, score=sum(a * b for a, b in zip(v, vector, strict=True)))
            for p, v in self.store.rows.values()
            if v is not None and _passes(p, org, filters)
        ]
        scored.sort(key=lambda h: -h.score)
        # A stale remote index may answer ids that are gone or were never allowed.
        return [Hit(passage_id=i, score=1.0) for i in self.stale] + scored[:limit]


class Keywords:
    name = "fake"

    def __init__(self, store: Store, *, down: bool = False) -> None:
        self.store, self.down = store, down

    def query(self, org, text, filters, limit):
        if self.down:
            raise SearchBackendUnavailable("down")
        terms = {w[:5] for w in WORD.findall(text.lower()) if len(w) > 3}
        hits = []
        for p, _ in self.store.rows.values():
            words = {w[:5] for w in WORD.findall(p.text.lower())}
            overlap = len(terms & words)
            if overlap and _passes(p, org, filters):
                hits.append(Hit(passage_id=p.id, score=float(overlap)))
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]


class Ports:
    def __init__(self, store, vectors, keywords, embedder) -> None:
        self.store, self.vectors, self.keywords, self.embedder = store, vectors, keywords, embedder


class Directory:
    def team_coach_ids(self, org, lead_coach_id):
        return {LEE, MAYA} if lead_coach_id == LEE else {lead_coach_id}


class Vocabulary:
    def clients(self, org, coach_ids):
        everyone = [
            NamedClient(MARCUS, "Marcus Lee", ("leadership",)),
            NamedClient(PRIYA, "Priya Shah", ("career",)),
        ]
        return everyone if coach_ids is None or MAYA in coach_ids else everyone[1:]

    def coaches(self, org, coach_ids):
        every = [
            NamedCoach(MAYA, "Maya Chen"),
            NamedCoach(RAVI, "Ravi Shah"),
            NamedCoach(LEE, "Lee Lead"),
        ]
        return [c for c in every if coach_ids is None or c.id in coach_ids]

    def time_zone(self, org, coach_id):
        return None


class Recent:
    def __init__(self) -> None:
        self.kept: dict[uuid.UUID, list[str]] = {}

    def remember(self, org, user_id, query, at):
        kept = [q for q in self.kept.get(user_id, []) if q != query]
        self.kept[user_id] = [query, *kept]

    def recent(self, org, user_id, limit):
        return self.kept.get(user_id, [])[:limit]
