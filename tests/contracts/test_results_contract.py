"""Results: each client's analysis by speaker name; compensation discards what the pipeline
derived and the pending clients nothing refers to any more."""

from __future__ import annotations

import datetime as dt

import pytest

from coaching.domain.errors import NotFound
from coaching.domain.results import ActionItem, ClientSummary, PriorityReason
from tests.contracts.conftest import (
    analysed_session,
    analysis,
    index_passages,
    new_session,
    speaker,
)


def test_an_analysis_loads_back_by_speaker_name_and_can_be_replaced(backend, org):
    session, _ = analysed_session(backend, org)
    results = backend.ports["results"]
    assert results.load_client_analyses(org, session.id) == {
        "Jordan Reyes": analysis("Jordan Reyes won"),
        "Priya Nair": analysis("Priya Nair won"),
    }
    results.save_client_analysis(org, session.id, "Priya Nair", analysis("again", 0.456))
    stored = results.load_client_analyses(org, session.id)["Priya Nair"]
    assert stored == analysis("again", 0.46)  # two decimals are kept


def test_the_priority_reasons_load_back_with_the_analysis(backend, org):
    # Given an analysis kept with the reasons of its priority
    session, _ = analysed_session(backend, org)
    results = backend.ports["results"]
    reasons = [PriorityReason(code="stuck", label="said they feel stuck or overwhelmed")]
    kept = analysis("again", 0.5).model_copy(update={"priority_reasons": reasons})
    # When saved and loaded back
    results.save_client_analysis(org, session.id, "Priya Nair", kept)
    # Then the reasons come back as they were
    assert results.load_client_analyses(org, session.id)["Priya Nair"].priority_reasons == reasons


def test_only_a_client_speaker_of_the_session_gets_an_analysis(backend, org):
    session = new_session(backend, org)
    backend.ports["participants"].save_speakers(org, session.id, [speaker("Maya", "coach")])
    with pytest.raises(NotFound):
        backend.ports["results"].save_client_analysis(org, session.id, "Maya", analysis())
    with pytest.raises(NotFound):
        backend.ports["results"].save_client_analysis(org, session.id, "Nobody", analysis())


def test_discarding_removes_what_the_pipeline_derived_and_keeps_the_session(backend, org):
    session, _ = analysed_session(backend, org)
    ports = backend.ports
    assert index_passages(backend, org, session) == 3  # one transcript passage, two wins
    ports["notifications"].record_notification(org, session.id, "review_ready", "m@x.io", "m1")
    ports["notifications"].record_notification(org, session.id, "failure", None, None)

    removed = ports["results"].discard_results(org, session.id)

    assert removed == {
        "search_passages": 3,
        "notifications": 1,
        "summaries": 2,
        "client_sessions": 2,
        "session_participants": 3,
        "clients": 2,
    }
    assert ports["results"].load_client_analyses(org, session.id) == {}
    assert ports["participants"].load_speakers(org, session.id) == []
    assert backend.clients(org) == {}
    assert [kind for kind, *_ in backend.notifications(org, session.id)] == ["failure"]
    assert ports["sessions"].get_session(org, session.id) is not None
    assert len(ports["transcripts"].load_transcript(org, session.id).turns) == 3


def test_discarding_keeps_clients_on_record_and_pending_clients_still_referred_to(backend, org):
    # Given Jordan on record, and Priya made pending by the first session
    jordan = backend.add_client(org, "Jordan Reyes")
    first, first_ids = analysed_session(backend, org)
    # And a later session of Priya (she appears again) whose summary has a follow-up to her
    later, later_ids = analysed_session(backend, org, clients=("Priya Nair",))
    assert later_ids["Priya Nair"] == first_ids["Priya Nair"]
    # When the first session's results are discarded
    backend.ports["results"].discard_results(org, first.id)
    # Then both clients stay: one is on record, the other still appears elsewhere
    assert backend.clients(org) == {"Jordan Reyes": "active", "Priya Nair": "pending"}
    assert first_ids["Jordan Reyes"] == jordan


def test_a_pending_client_a_follow_up_still_names_is_kept(backend, org):
    """The rule compensation and deletion share (adapters/postgres/pending_clients.py): the
    copy compensation once used had lost the follow-ups check, and failed on such a client."""
    # Given Priya, made pending by the first session, named only by a follow-up drafted
    # from a summary of another session
    first, first_ids = analysed_session(backend, org, clients=("Priya Nair",))
    other, _ = analysed_session(backend, org, clients=("Jordan Reyes",))
    backend.add_follow_up(org, other.id, first_ids["Priya Nair"])
    # When the first session's results are discarded
    removed = backend.ports["results"].discard_results(org, first.id)
    # Then Priya stays, and so does the follow-up's session
    assert removed["clients"] == 0
    assert backend.clients(org) == {"Priya Nair": "pending", "Jordan Reyes": "pending"}
    # And deleting the first session keeps her too
    backend.ports["sessions"].update_session(org, first.id, processing_status="failed")
    assert backend.ports["sessions"].delete_session(org, first.id)["clients"] == 0
    assert "Priya Nair" in backend.clients(org)


def test_another_organization_sees_and_discards_nothing(backend, org):
    session, _ = analysed_session(backend, org)
    other = backend.new_org()
    results = backend.ports["results"]
    assert results.load_client_analyses(other, session.id) == {}
    assert sum(results.discard_results(other, session.id).values()) == 0
    assert len(results.load_client_analyses(org, session.id)) == 2


def _session_with_commitments(backend, org, day, items: list[str]):
    session = new_session(backend, org, session_date=day)
    ports = backend.ports
    client_ids = ports["participants"].resolve_clients(org, session.id, ["Priya Nair"])
    speakers = [speaker("Maya Coach", "coach"), speaker("Priya Nair")]
    ports["participants"].save_speakers(org, session.id, speakers, client_ids)
    summary = ClientSummary(action_items=[ActionItem(text=text, evidence=[1]) for text in items])
    ports["results"].save_client_analysis(
        org, session.id, "Priya Nair", analysis().model_copy(update={"summary": summary})
    )
    return session


def test_previous_commitments_are_those_of_the_clients_session_before(backend, org):
    # Given Priya's sessions of March, May and then April, each with its action items
    march = _session_with_commitments(backend, org, dt.date(2026, 3, 2), ["Send the budget"])
    _session_with_commitments(backend, org, dt.date(2026, 5, 4), ["Book the offsite"])
    april = _session_with_commitments(backend, org, dt.date(2026, 4, 6), ["Call Sam"])
    results = backend.ports["results"]
    # Then April's are March's, the session before it by date, not the latest stored
    assert results.previous_commitments(org, april.id, "Priya Nair") == ["Send the budget"]
    # And March, her first, has none; nor has a name that is not a client of the session
    assert results.previous_commitments(org, march.id, "Priya Nair") == []
    assert results.previous_commitments(org, april.id, "Maya Coach") == []
