"""The socket's refine shares one transaction; a free-form refiner never runs inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from coaching.domain.review import SummaryContent
from coaching.ports.review import ReviewPorts
from coaching.usecases.refiner_outside_transaction import (
    RefinerOutsideTransaction,
    with_refiner_outside,
)


class RecordingTransactions:
    def __init__(self) -> None:
        self.state = "scoped"

    @contextmanager
    def scoped(self, org) -> Iterator[None]:
        yield

    @contextmanager
    def outside(self) -> Iterator[None]:
        self.state = "outside"
        try:
            yield
        finally:
            self.state = "scoped"


class WatchedRefiner:
    def __init__(self, transactions: RecordingTransactions) -> None:
        self.transactions = transactions
        self.called_in: list[str] = []

    def refine(self, content, request, history, evidence):
        self.called_in.append(self.transactions.state)
        return content


def test_the_refiner_runs_with_no_transaction_open_and_its_answer_is_kept():
    transactions = RecordingTransactions()
    refiner = WatchedRefiner(transactions)
    content = SummaryContent()
    ports = with_refiner_outside(ReviewPorts(None, None, None, refiner), transactions)  # type: ignore[arg-type]
    assert isinstance(ports.refiner, RefinerOutsideTransaction)
    assert ports.refiner.refine(content, "make it sing", [], []) is content
    assert refiner.called_in == ["outside"]
    assert transactions.state == "scoped"  # back inside for the storage calls after it


def test_without_a_refiner_the_ports_are_unchanged():
    ports = ReviewPorts(None, None, None)  # type: ignore[arg-type]
    assert with_refiner_outside(ports, RecordingTransactions()) is ports
