"""SearchIndex: the overview and every summary item, replaced on each indexing."""

from __future__ import annotations

from coaching.domain.results import ClientSummary, Item
from tests.contracts.conftest import analysed_session, analysis


def test_indexing_writes_each_summary_item_and_the_overview(backend, org):
    session, _ = analysed_session(backend, org)
    ports = backend.ports
    ports["sessions"].update_session(org, session.id, session_summary="Two clients, one win.")
    assert ports["search_index"].index_session(org, session.id) == 3
    assert backend.search_documents(org, session.id) == [
        ("", "session_summary", "Two clients, one win.", []),
        ("Jordan Reyes", "wins", "Jordan Reyes won", [1]),
        ("Priya Nair", "wins", "Priya Nair won", [1]),
    ]


def test_indexing_again_replaces_the_entries(backend, org):
    session, _ = analysed_session(backend, org, clients=("Jordan Reyes",))
    ports = backend.ports
    ports["search_index"].index_session(org, session.id)
    richer = analysis().model_copy(
        update={
            "summary": ClientSummary(
                challenges=[Item(text="Delegation", evidence=[1])],
                coach_recommendations=[Item(text="Practise saying no", evidence=[1, 2])],
            )
        }
    )
    ports["results"].save_client_analysis(org, session.id, "Jordan Reyes", richer)
    assert ports["search_index"].index_session(org, session.id) == 2
    assert backend.search_documents(org, session.id) == [
        ("Jordan Reyes", "challenges", "Delegation", [1]),
        ("Jordan Reyes", "coach_recommendations", "Practise saying no", [1, 2]),
    ]


def test_another_organization_indexes_nothing_of_the_session(backend, org):
    session, _ = analysed_session(backend, org)
    other = backend.new_org()
    assert backend.ports["search_index"].index_session(other, session.id) == 0
