"""A free-form refiner for tests: the SummaryRefiner port without a model.

It adds what was asked as a new challenge, which rests on no turn, and keeps every other
item as it is, evidence and all: the port's rules
(tests/contracts/test_summary_refiner_contract.py).
"""

from __future__ import annotations

from coaching.domain.review import ReviewItem, RevisionRecord, SummaryContent
from coaching.domain.transcript import Turn
from coaching.ports.review import FreeFormRefinement


class AddingRefiner:
    def __init__(self) -> None:
        self.asked: list[tuple[str, int, list[int]]] = []  # request, revisions, evidence shown

    def refine(
        self,
        content: SummaryContent,
        request: str,
        history: list[RevisionRecord],
        evidence: list[Turn],
    ) -> FreeFormRefinement | None:
        self.asked.append((request, len(history), [turn.index for turn in evidence]))
        added = ReviewItem(text=request)
        refined = content.model_copy(update={"challenges": [*content.challenges, added]})
        return FreeFormRefinement(refined, f"Added a challenge: {request}")
