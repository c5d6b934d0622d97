"""The search ports in memory: the passage store on MemoryData (so deleting a session through
FakeSessions takes its passages, as ON DELETE CASCADE does), and two indexes that keep their
own copy, as Pinecone and OpenSearch do. Each passes the contract tests its PostgreSQL
adapter passes (tests/contracts/test_search_*_contract.py)."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from coaching.domain.search import Hit, Passage, SearchFilters
from coaching.ports.embedder import EmbeddingUnavailable
from coaching.ports.search_index import SearchBackendUnavailable
from tests.fakes.embedder import FakeEmbedder
from tests.fakes.memory import MemoryData, StoredPassage

_WORD = re.compile(r"[a-z0-9]+")
# English words PostgreSQL's full-text search ignores, the ones a question is made of.
_STOP_WORDS = frozenset(
    "a an and are as at be but by did do does for from had has have he her him his how i if"
    " in into is it its me my no not of on or our she so that the their them then there they"
    " this to was we were what when where which who whom why will with you your".split()
)


def matches(passage: Passage, filters: SearchFilters) -> bool:
    """Whether a passage passes every filter (the rule search_indexes.filter_clause writes
    in SQL)."""
    checks = (
        (filters.coach_ids, passage.coach_id),
        (filters.client_ids, passage.client_id),
        (filters.session_ids, passage.session_id),
        (filters.kinds, passage.kind),
        (filters.session_types, passage.session_type),
    )
    if any(allowed is not None and value not in allowed for allowed, value in checks):
        return False
    day = passage.session_date
    if filters.date_from is not None and (day is None or day < filters.date_from):
        return False
    return not (filters.date_to is not None and (day is None or day > filters.date_to))


class FakePassageStore:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def _current(self, org: uuid.UUID, stored: StoredPassage) -> Passage:
        """The passage with its session's coach now (as the adapter reads it)."""
        session = self.data.sessions.get((org, stored.passage.session_id))
        coach = session.coach_id if session else stored.passage.coach_id
        return stored.passage.model_copy(update={"coach_id": coach})

    def _all(self, org: uuid.UUID) -> dict[uuid.UUID, StoredPassage]:
        return {
            pid: stored
            for (o, _), passages in self.data.search_passages.items()
            if o == org
            for pid, stored in passages.items()
        }

    def replace_session(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        passages: Sequence[Passage],
        vectors: Sequence[Sequence[float]] | None,
        model: str | None,
    ) -> None:
        if vectors is not None and len(vectors) != len(passages):
            raise ValueError("One vector per passage, or none.")
        assert all(p.organization_id == org and p.session_id == session_id for p in passages)
        self.data.search_passages[(org, session_id)] = {
            p.id: StoredPassage(
                p,
                list(vectors[n]) if vectors is not None else None,
                model if vectors is not None else None,
            )
            for n, p in enumerate(passages)
        }

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted(self.data.search_passages.pop((org, session_id), {}))

    def load(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Passage]:
        stored = self._all(org)
        return [self._current(org, stored[pid]) for pid in dict.fromkeys(ids) if pid in stored]

    def vectors(
        self, org: uuid.UUID, ids: Sequence[uuid.UUID], model: str
    ) -> dict[uuid.UUID, list[float]]:
        stored = self._all(org)
        return {
            pid: list(stored[pid].vector or [])
            for pid in ids
            if pid in stored and stored[pid].model == model
        }

    def set_vectors(
        self, org: uuid.UUID, vectors: Mapping[uuid.UUID, Sequence[float]], model: str
    ) -> None:
        stored = self._all(org)
        for pid, vector in vectors.items():
            if pid in stored:
                stored[pid].vector, stored[pid].model = list(vector), model

    def batches(
        self, org: uuid.UUID, *, after: uuid.UUID | None, size: int
    ) -> Iterator[list[tuple[Passage, list[float] | None, str | None]]]:
        while True:
            ordered = sorted(
                (pid, s) for pid, s in self._all(org).items() if after is None or pid > after
            )[:size]
            if not ordered:
                return
            yield [(self._current(org, s), s.vector, s.model) for _, s in ordered]
            after = ordered[-1][0]

    def count(self, org: uuid.UUID, *, up_to: uuid.UUID | None = None) -> int:
        return sum(1 for pid in self._all(org) if up_to is None or pid <= up_to)

    def unindexed_sessions(self, org: uuid.UUID) -> list[uuid.UUID]:
        return sorted(
            session_id
            for (o, session_id), session in self.data.sessions.items()
            if o == org
            and session.processing_status == "completed"
            and not self.data.search_passages.get((o, session_id))
        )


@dataclass
class _Remote:
    """What a remote index holds: per organization, passages (and vectors) by id."""

    passages: dict[uuid.UUID, dict[uuid.UUID, Passage]] = field(default_factory=dict)
    down: bool = False  # True: every call raises SearchBackendUnavailable

    def check(self, name: str) -> None:
        if self.down:
            raise SearchBackendUnavailable(f"{name} is down (test).")


class SwitchableEmbedder(FakeEmbedder):
    """The fake embedder, made to stop answering (``down``) as an outage would."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if self.down:
            raise EmbeddingUnavailable("The fake embedder is down (test).")
        return super().embed(texts)


class FakeVectorIndex:
    name = "fake-vectors"

    def __init__(self) -> None:
        self.remote = _Remote()
        self.vectors: dict[uuid.UUID, dict[uuid.UUID, list[float]]] = {}

    def upsert(
        self, org: uuid.UUID, passages: Sequence[Passage], vectors: Sequence[Sequence[float]]
    ) -> None:
        self.remote.check(self.name)
        for passage, vector in zip(passages, vectors, strict=True):
            self.remote.passages.setdefault(org, {})[passage.id] = passage
            self.vectors.setdefault(org, {})[passage.id] = list(vector)

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        self.remote.check(self.name)
        for pid in ids:
            self.remote.passages.get(org, {}).pop(pid, None)
            self.vectors.get(org, {}).pop(pid, None)

    def query(
        self, org: uuid.UUID, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[Hit]:
        self.remote.check(self.name)
        passages = self.remote.passages.get(org, {})
        scored = [
            Hit(passage_id=pid, score=_cosine(vector, stored))
            for pid, stored in self.vectors.get(org, {}).items()
            if len(stored) == len(vector) and matches(passages[pid], filters)
        ]
        return sorted(scored, key=lambda hit: (-hit.score, hit.passage_id))[:limit]


class FakeKeywordIndex:
    """Passages with every word of the question first, then those with some (the rule the
    PostgreSQL adapter follows); stop words ignored, no stemming."""

    name = "fake-keywords"

    def __init__(self) -> None:
        self.remote = _Remote()

    def upsert(self, org: uuid.UUID, passages: Sequence[Passage]) -> None:
        self.remote.check(self.name)
        for passage in passages:
            self.remote.passages.setdefault(org, {})[passage.id] = passage

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        self.remote.check(self.name)
        for pid in ids:
            self.remote.passages.get(org, {}).pop(pid, None)

    def query(self, org: uuid.UUID, text: str, filters: SearchFilters, limit: int) -> list[Hit]:
        self.remote.check(self.name)
        terms = _terms(text)
        hits = []
        for pid, passage in self.remote.passages.get(org, {}).items():
            found = terms & _terms(passage.text)
            if found and matches(passage, filters):
                score = len(found) / (len(terms) + 1) + (1.0 if found == terms else 0.0)
                hits.append(Hit(passage_id=pid, score=score))
        return sorted(hits, key=lambda hit: (-hit.score, hit.passage_id))[:limit]


class FakeReindexCheckpoints:
    def __init__(self, data: MemoryData) -> None:
        self.data = data
        self.saved: dict[uuid.UUID, uuid.UUID] = {}

    def organizations(self) -> list[uuid.UUID]:
        return sorted(self.data.organizations)

    def load(self, org: uuid.UUID) -> uuid.UUID | None:
        return self.saved.get(org)

    def save(self, org: uuid.UUID, after: uuid.UUID) -> None:
        self.saved[org] = after

    def clear(self, org: uuid.UUID) -> None:
        self.saved.pop(org, None)


def _terms(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if word not in _STOP_WORDS}


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else 0.0
