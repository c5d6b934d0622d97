"""StepLedger: a finished step's output per (session, step, item), forgotten by step."""

from __future__ import annotations

from tests.contracts.conftest import new_session


def test_a_recorded_step_returns_its_output_and_a_new_record_replaces_it(backend, org):
    ledger = backend.ports["step_ledger"]
    session = new_session(backend, org)
    assert ledger.completed_step(org, session.id, "ParseTranscript") is None
    ledger.record_step(org, session.id, "ParseTranscript", "", {"clients": ["Jordan"]})
    assert ledger.completed_step(org, session.id, "ParseTranscript") == {"clients": ["Jordan"]}
    ledger.record_step(org, session.id, "ParseTranscript", "", {"clients": []})
    assert ledger.completed_step(org, session.id, "ParseTranscript", "") == {"clients": []}


def test_items_of_a_step_are_kept_apart_and_forgotten_together(backend, org):
    ledger = backend.ports["step_ledger"]
    session = new_session(backend, org)
    ledger.record_step(org, session.id, "AnalyzeClient", "Jordan", {"client": "Jordan"})
    ledger.record_step(org, session.id, "AnalyzeClient", "Priya", {"client": "Priya"})
    ledger.record_step(org, session.id, "ValidateAndStore", "", {"turns": 3})
    assert ledger.completed_step(org, session.id, "AnalyzeClient", "Priya") == {"client": "Priya"}
    assert ledger.completed_step(org, session.id, "AnalyzeClient") is None
    assert ledger.forget_steps(org, session.id, ["AnalyzeClient", "IndexSession"]) == 2
    assert ledger.completed_step(org, session.id, "AnalyzeClient", "Jordan") is None
    assert ledger.completed_step(org, session.id, "ValidateAndStore") == {"turns": 3}


def test_another_organization_sees_no_step(backend, org):
    ledger = backend.ports["step_ledger"]
    session = new_session(backend, org)
    ledger.record_step(org, session.id, "NotifyCoach", "", {"message_id": "m"})
    other = backend.new_org()
    assert ledger.completed_step(other, session.id, "NotifyCoach") is None
    assert ledger.forget_steps(other, session.id, ["NotifyCoach"]) == 0
