"""A free-form refiner that runs outside the caller's shared transaction.

The socket's ``refine`` runs a refinement's dozen storage calls in one transaction
(api/socket_actions.py): one BEGIN/COMMIT and one organization scope instead of one per
call, which halves the round-trip. A free-form refiner (the OpenAI analyzer's) is a slow
outside call that must never hold a transaction open (ports/transactions.py): wrapped in
this, it commits what was read so far, runs with no transaction, and the next storage call
opens a new one - the stale-revision check still happens where the revision is saved.
"""

from __future__ import annotations

import dataclasses

from coaching.domain.review import RevisionRecord, SummaryContent
from coaching.domain.transcript import Turn
from coaching.ports.review import FreeFormRefinement, ReviewPorts, SummaryRefiner
from coaching.ports.transactions import Transactions


@dataclasses.dataclass(frozen=True)
class RefinerOutsideTransaction:
    """SummaryRefiner: ``refiner``, called with no transaction of ``transactions`` open."""

    refiner: SummaryRefiner
    transactions: Transactions

    def refine(
        self,
        content: SummaryContent,
        request: str,
        history: list[RevisionRecord],
        evidence: list[Turn],
    ) -> FreeFormRefinement | None:
        with self.transactions.outside():
            return self.refiner.refine(content, request, history, evidence)


def with_refiner_outside(ports: ReviewPorts, transactions: Transactions) -> ReviewPorts:
    """``ports`` whose refiner (if any) leaves the shared transaction while it runs."""
    if ports.refiner is None:
        return ports
    return dataclasses.replace(
        ports, refiner=RefinerOutsideTransaction(ports.refiner, transactions)
    )
