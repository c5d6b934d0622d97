"""Hybrid ranking: weighted reciprocal rank fusion of the semantic and the keyword answers.

RRF needs no comparable scores (cosine similarity and ts_rank/BM25 are on different scales):
each backend contributes ``weight / (k + rank)`` for every passage it answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from coaching.domain.search import Hit, MatchedBy

# Placeholders until bench/search.py measures them on QMSum (the bench part prints a grid of
# weights and k; the lead sets these from its best figures). 60 is the k of the RRF paper.
RRF_K = 60
SEMANTIC_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
# How much a passage gains from its session's other candidates (with_session_evidence).
SESSION_WEIGHT = 0.5


@dataclass(frozen=True)
class Fused:
    passage_id: uuid.UUID
    score: float
    matched_by: MatchedBy


def fuse(
    semantic: Sequence[Hit],
    keyword: Sequence[Hit],
    *,
    k: int = RRF_K,
    semantic_weight: float = SEMANTIC_WEIGHT,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> list[Fused]:
    """One list, best first; ties keep the semantic answer's order, then the keyword one's."""
    scores: dict[uuid.UUID, float] = {}
    found_by: dict[uuid.UUID, set[str]] = {}
    for hits, weight, backend in (
        (semantic, semantic_weight, "semantic"),
        (keyword, keyword_weight, "keyword"),
    ):
        seen: set[uuid.UUID] = set()
        for rank, hit in enumerate(hits, start=1):
            if hit.passage_id in seen:  # a backend answering an id twice counts it once
                continue
            seen.add(hit.passage_id)
            scores[hit.passage_id] = scores.get(hit.passage_id, 0.0) + weight / (k + rank)
            found_by.setdefault(hit.passage_id, set()).add(backend)
    order = {passage: position for position, passage in enumerate(scores)}
    ranked = sorted(scores, key=lambda passage: (-scores[passage], order[passage]))
    return [Fused(passage, scores[passage], _matched_by(found_by[passage])) for passage in ranked]


def _matched_by(backends: set[str]) -> MatchedBy:
    if backends == {"semantic", "keyword"}:
        return "both"
    return "semantic" if "semantic" in backends else "keyword"


def with_session_evidence(
    fused: Sequence[Fused],
    session_of: Mapping[uuid.UUID, uuid.UUID],
    *,
    weight: float = SESSION_WEIGHT,
) -> list[Fused]:
    """The candidates again, each passage's score raised by ``weight`` times the summed
    scores of every candidate of its session: a question about one meeting as a whole picks
    out that meeting by all of its passages together, where its single best passage may
    rank below another meeting's lucky one (hierarchical retrieval). Within one session the
    order is unchanged. Ties keep the given order."""
    evidence: dict[uuid.UUID, float] = {}
    for hit in fused:
        session = session_of.get(hit.passage_id)
        if session is not None:
            evidence[session] = evidence.get(session, 0.0) + hit.score
    rescored = []
    for hit in fused:
        session = session_of.get(hit.passage_id)
        gain = weight * evidence[session] if session is not None else 0.0
        rescored.append(replace(hit, score=hit.score + gain))
    order = {hit.passage_id: position for position, hit in enumerate(rescored)}
    return sorted(rescored, key=lambda hit: (-hit.score, order[hit.passage_id]))
