"""PassageStore: every indexed text with its vector, replaced per session, read back by id."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.domain.search import Passage, passage_id
from tests.contracts.conftest import analysed_session, new_session
from tests.fakes.embedder import FakeEmbedder

MODEL = FakeEmbedder.model


def passages_of(session, texts: list[str], **fields) -> list[Passage]:
    return [
        Passage(
            id=passage_id(session.id, "passage", n, 0),
            organization_id=session.organization_id,
            session_id=session.id,
            kind="passage",
            turn_index=n,
            turn_end=n,
            speaker="Jordan Reyes",
            source=session.source_name,
            text=text,
            session_date=dt.date(2026, 3, 2),
            session_type="individual",
            tags=("leadership",),
            **fields,
        )
        for n, text in enumerate(texts)
    ]


def test_replacing_a_session_keeps_only_the_new_passages(backend, org):
    # Given a session indexed once
    session = new_session(backend, org)
    store = backend.ports["search_store"]
    first = passages_of(session, ["We talked about delegation.", "And about budgets."])
    store.replace_session(org, session.id, first, None, None)
    # When it is indexed again with one passage
    again = passages_of(session, ["Only delegation now."])
    store.replace_session(org, session.id, again, None, None)
    # Then only that one is there, every field as written
    assert store.load(org, [p.id for p in first]) == again
    assert store.count(org) == 1


def test_vectors_are_kept_per_model_and_can_be_filled_later(backend, org):
    session = new_session(backend, org)
    store = backend.ports["search_store"]
    embedder = FakeEmbedder()
    passages = passages_of(session, ["Delegation is hard.", "Budgets too."])
    store.replace_session(org, session.id, passages, None, None)
    assert store.vectors(org, [p.id for p in passages], MODEL) == {}
    vectors = embedder.embed([p.text for p in passages])
    store.set_vectors(org, {passages[0].id: vectors[0]}, MODEL)
    stored = store.vectors(org, [p.id for p in passages], MODEL)
    assert list(stored) == [passages[0].id]
    assert stored[passages[0].id] == pytest.approx(vectors[0])
    assert store.vectors(org, [passages[0].id], "another-model") == {}


def test_batches_walk_every_passage_in_id_order_from_a_checkpoint(backend, org):
    session = new_session(backend, org)
    store = backend.ports["search_store"]
    passages = passages_of(session, [f"Passage number {n}." for n in range(5)])
    vectors = FakeEmbedder().embed([p.text for p in passages])
    store.replace_session(org, session.id, passages, vectors, MODEL)
    ids = sorted(p.id for p in passages)

    batches = list(store.batches(org, after=None, size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [p.id for b in batches for p, _, _ in b] == ids
    assert all(model == MODEL and len(vector) == 384 for b in batches for _, vector, model in b)
    resumed = [p.id for b in store.batches(org, after=ids[2], size=2) for p, _, _ in b]
    assert resumed == ids[3:]
    assert store.count(org, up_to=ids[2]) == 3


def test_deleting_a_session_answers_the_ids_it_removed(backend, org):
    session = new_session(backend, org)
    store = backend.ports["search_store"]
    passages = passages_of(session, ["One.", "Two."])
    store.replace_session(org, session.id, passages, None, None)
    assert store.delete_session(org, session.id) == sorted(p.id for p in passages)
    assert store.load(org, [p.id for p in passages]) == []
    assert store.delete_session(org, session.id) == []


def test_another_organizations_passages_never_answer(backend, org):
    session = new_session(backend, org)
    store = backend.ports["search_store"]
    passages = passages_of(session, ["Delegation."])
    store.replace_session(org, session.id, passages, FakeEmbedder().embed(["x"]), MODEL)
    other = backend.new_org()
    ids = [p.id for p in passages]
    assert store.load(other, ids) == []
    assert store.vectors(other, ids, MODEL) == {}
    assert list(store.batches(other, after=None, size=10)) == []
    assert store.count(other) == 0
    assert store.delete_session(other, session.id) == []
    assert store.load(org, ids) == passages


def test_a_passage_reads_its_sessions_current_coach(backend, org):
    # Given a session indexed while it was one coach's
    first, second = backend.add_coach(org, "a@x.io"), backend.add_coach(org, "b@x.io")
    session = new_session(backend, org, coach_id=first)
    store = backend.ports["search_store"]
    passages = passages_of(session, ["Delegation."], coach_id=first)
    store.replace_session(org, session.id, passages, None, None)
    # When the session is given to another coach
    backend.assign_coach(org, session.id, second)
    # Then its passages are that coach's, without indexing again
    assert [p.coach_id for p in store.load(org, [passages[0].id])] == [second]


def test_completed_sessions_without_passages_are_the_unindexed_ones(backend, org):
    session, _ = analysed_session(backend, org)
    sessions = backend.ports["sessions"]
    assert backend.ports["search_store"].unindexed_sessions(org) == []
    sessions.update_session(org, session.id, processing_status="completed")
    assert backend.ports["search_store"].unindexed_sessions(org) == [session.id]
    backend.ports["search_store"].replace_session(
        org, session.id, passages_of(session, ["Delegation."]), None, None
    )
    assert backend.ports["search_store"].unindexed_sessions(org) == []


def test_reindex_checkpoints_are_kept_per_organization(backend, org):
    checkpoints = backend.ports["reindex_checkpoints"]
    after = uuid.uuid4()
    assert checkpoints.load(org) is None
    checkpoints.save(org, after)
    checkpoints.save(org, after)  # again: still one
    assert checkpoints.load(org) == after
    assert checkpoints.load(backend.new_org()) is None
    assert org in checkpoints.organizations()
    checkpoints.clear(org)
    assert checkpoints.load(org) is None
