"""Hybrid ranking: weighted reciprocal rank fusion of the semantic and the keyword answers.

RRF needs no comparable scores (cosine similarity and ts_rank/BM25 are on different scales):
each backend contributes ``weight / (k + rank)`` for every passage it answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from coaching.domain.search import Hit, MatchedBy

# Placeholders until bench/search.py measures them on QMSum (the bench part prints a grid of
# weights and k; the lead sets these from its best figures). 60 is the k of the RRF paper.
RRF_K = 60
SEMANTIC_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0


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
