"""Hybrid ranking: weighted reciprocal rank fusion of the semantic and the keyword answers.

RRF needs no comparable scores (cosine similarity and ts_rank/BM25 are on different scales):
each backend contributes ``weight / (k + rank)`` for every passage it answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from coaching.domain.search import Hit, MatchedBy

# Chosen by bench/search.py's grid on all 162 QMSum meetings (1,095 questions): the best
# cell on the tuning two thirds (728), whole organization, is k 5 with the semantic side
# weighing 0.75; on the held-out third it raised MRR 0.250 -> 0.285 and R@10 0.403 -> 0.441
# over the RRF paper's k 60 at 1:1, and within a meeting it changed nothing (MRR 0.631 vs
# 0.634 on tuning). On 12 or 24 meetings the grid was flat, and k 60 stood until this run.
RRF_K = 5
SEMANTIC_WEIGHT = 0.75
KEYWORD_WEIGHT = 1.0
# How much a passage gains from its session's best candidates (with_session_evidence).
# Measured on QMSum (bench/search.py, 12 meetings, held-out third): every weight 0.05-1 with
# the best 1-5 candidates lowered MRR (0.560 to 0.44-0.56) and never raised R@10, so the
# search does not use it (0: off); the bench keeps printing the grid for the next change.
SESSION_WEIGHT = 0.0
SESSION_TOP = 3


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
    top: int = SESSION_TOP,
) -> list[Fused]:
    """The candidates again, each passage's score raised by ``weight`` times the summed
    scores of its session's ``top`` best candidates: a question about one meeting as a whole picks
    out that meeting by all of its passages together, where its single best passage may
    rank below another meeting's lucky one (hierarchical retrieval). Within one session the
    order is unchanged. Ties keep the given order."""
    best: dict[uuid.UUID, list[float]] = {}
    for hit in fused:
        session = session_of.get(hit.passage_id)
        if session is not None:
            best.setdefault(session, []).append(hit.score)
    evidence = {session: sum(sorted(found, reverse=True)[:top]) for session, found in best.items()}
    rescored = []
    for hit in fused:
        session = session_of.get(hit.passage_id)
        gain = weight * evidence[session] if session is not None else 0.0
        rescored.append(replace(hit, score=hit.score + gain))
    order = {hit.passage_id: position for position, hit in enumerate(rescored)}
    return sorted(rescored, key=lambda hit: (-hit.score, order[hit.passage_id]))
