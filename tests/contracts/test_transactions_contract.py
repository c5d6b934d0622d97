"""Transactions: what a step may rely on whether its calls share a transaction or not.

That a failed scope undoes its writes holds for PostgreSQL only (the fakes keep each call's
write at once, as a transaction per call would): tests/integration/test_shared_transaction.py.
"""

from __future__ import annotations

import pytest

from tests.contracts.conftest import new_session


def test_what_a_scope_writes_is_read_inside_it_and_kept_after_it(backend, org):
    ledger, transactions = backend.ports["step_ledger"], backend.ports["transactions"]
    session = new_session(backend, org)
    with transactions.scoped(org):
        ledger.record_step(org, session.id, "AnalyzeClient", "Jordan", {"client": "Jordan"})
        assert ledger.completed_step(org, session.id, "AnalyzeClient", "Jordan") is not None
        with transactions.outside():
            ledger.record_step(org, session.id, "AnalyzeClient", "Priya", {"client": "Priya"})
        ledger.record_step(org, session.id, "IndexSession", "", {"documents": 2})
    assert ledger.completed_step(org, session.id, "AnalyzeClient", "Priya") == {"client": "Priya"}
    assert ledger.completed_step(org, session.id, "IndexSession") == {"documents": 2}


def test_an_error_in_a_scope_reaches_its_caller(backend, org):
    transactions = backend.ports["transactions"]
    with pytest.raises(LookupError), transactions.scoped(org):
        raise LookupError("the step's own error, unchanged")


def test_another_organization_sees_nothing_a_scope_wrote(backend, org):
    ledger, transactions = backend.ports["step_ledger"], backend.ports["transactions"]
    session = new_session(backend, org)
    other = backend.new_org()
    with transactions.scoped(org):
        ledger.record_step(org, session.id, "NotifyCoach", "", {"message_id": "m"})
        assert ledger.completed_step(other, session.id, "NotifyCoach") is None
