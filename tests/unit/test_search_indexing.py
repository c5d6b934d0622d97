"""Indexing a session, removing it, and rebuilding the index (usecases/search_indexing.py),
on the fakes: the store is the truth, the indexes follow it, an embedder or an index that
does not answer never fails the step."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest

from coaching.domain.results import ClientSummary
from coaching.domain.search import SearchFilters
from coaching.usecases.analyze_client import analyze_client
from coaching.usecases.delete_session import delete_session
from coaching.usecases.parse_participants import parse_participants
from coaching.usecases.search_indexing import (
    index_session,
    reindex,
    remove_session,
)
from coaching.usecases.validate_and_store import validate_and_store
from tests.fakes import MemoryObjects, fake_search
from tests.fakes.embedder import FakeEmbedder
from tests.fakes.search import SwitchableEmbedder
from tests.unit.saga_setup import KEY, ORG, SESSION, deps, step
from tests.unit.test_saga_use_cases import CLIENTS, client_step

WEEK_1 = Path(__file__).parents[1] / "fixtures" / "transcripts" / "client-progress-week1.vtt"
EVERYTHING = SearchFilters()


def analysed(embedder: SwitchableEmbedder | None = None):
    """The week-1 session stored, parsed and analysed, not yet indexed."""
    world = deps(MemoryObjects({KEY: WEEK_1.read_bytes()}), has_session=False)
    data = world.search.store.data  # type: ignore[attr-defined]
    world = dataclasses.replace(world, search=fake_search(data, embedder or SwitchableEmbedder()))
    validate_and_store(world, step())
    parse_participants(world, step())
    for name in CLIENTS:
        analyze_client(world, client_step(name))
    return world


def stored(world) -> dict:
    return world.search.store.data.search_passages.get((ORG, SESSION), {})


def test_indexing_stores_every_passage_with_its_vector_and_fills_both_indexes():
    world = analysed()
    count = index_session(world, ORG, SESSION)
    rows = stored(world)
    assert count == len(rows) > 5
    assert all(r.model == FakeEmbedder.model and len(r.vector) == 384 for r in rows.values())
    assert set(world.search.vectors.vectors[ORG]) == set(rows)
    assert set(world.search.keywords.remote.passages[ORG]) == set(rows)
    kinds = {r.passage.kind for r in rows.values()}
    assert {"passage", "action_item"} <= kinds


def test_without_an_embedder_passages_are_kept_for_keywords_and_the_step_succeeds():
    embedder = SwitchableEmbedder()
    embedder.down = True
    world = analysed(embedder)
    count = index_session(world, ORG, SESSION)
    rows = stored(world)
    assert count == len(rows) > 0
    assert all(r.vector is None and r.model is None for r in rows.values())
    assert world.search.vectors.vectors == {}
    hits = world.search.keywords.query(ORG, "budget proposal", EVERYTHING, 5)
    assert hits and all(hit.passage_id in rows for hit in hits)


def test_an_index_that_does_not_answer_never_fails_the_step():
    world = analysed()
    world.search.vectors.remote.down = True
    world.search.keywords.remote.down = True
    assert index_session(world, ORG, SESSION) == len(stored(world)) > 0


def test_indexing_again_drops_passages_that_are_gone_from_the_indexes():
    world = analysed()
    index_session(world, ORG, SESSION)
    before = set(stored(world))
    # The clients' summaries are empty now (a rerun that found nothing to summarise)
    for name, analysis in world.results.load_client_analyses(ORG, SESSION).items():
        empty = analysis.model_copy(update={"summary": ClientSummary()})
        world.results.save_client_analysis(ORG, SESSION, name, empty)
    index_session(world, ORG, SESSION)
    after = set(stored(world))
    assert after < before
    assert set(world.search.vectors.vectors[ORG]) == after
    assert set(world.search.keywords.remote.passages[ORG]) == after


def test_removing_a_session_empties_the_store_and_both_indexes():
    world = analysed()
    count = index_session(world, ORG, SESSION)
    assert remove_session(world, ORG, SESSION) == count
    assert stored(world) == {}
    assert world.search.vectors.vectors[ORG] == {}
    assert world.search.keywords.remote.passages[ORG] == {}


def test_deleting_a_session_takes_its_passages_out_of_the_indexes():
    world = analysed()
    count = index_session(world, ORG, SESSION)
    world.sessions.update_session(ORG, SESSION, processing_status="completed")
    deletion = delete_session(world, ORG, SESSION)
    assert deletion.rows["search_passages"] == count
    assert world.search.vectors.vectors[ORG] == {}
    assert world.search.keywords.remote.passages[ORG] == {}


def _keywords_only(world):
    """The session indexed while the embedder was down, and the remote indexes empty."""
    world.search.embedder.down = True
    index_session(world, ORG, SESSION)
    world.search.embedder.down = False
    world.search.keywords.remote.passages.clear()


def test_reindex_embeds_what_has_no_vector_and_fills_both_indexes():
    world = analysed()
    _keywords_only(world)
    steps = []
    report = reindex(world, ORG, steps.append)
    rows = stored(world)
    assert (report.passages, report.embedded, report.resumed) == (len(rows), len(rows), False)
    assert all(r.model == FakeEmbedder.model for r in rows.values())
    assert set(world.search.vectors.vectors[ORG]) == set(rows)
    assert set(world.search.keywords.remote.passages[ORG]) == set(rows)
    assert steps[-1].done == steps[-1].total == len(rows)
    assert world.reindex_checkpoints.load(ORG) is None  # finished: nothing to resume
    # Again: nothing to embed
    assert reindex(world, ORG).embedded == 0


def test_reindex_indexes_completed_sessions_that_have_no_passages():
    world = analysed()
    world.sessions.update_session(ORG, SESSION, processing_status="completed")
    report = reindex(world, None)
    assert report.sessions_indexed == 1 and report.organizations == 1
    assert len(stored(world)) == report.passages > 0


def test_an_interrupted_reindex_resumes_after_its_last_batch(monkeypatch):
    from coaching.usecases import search_indexing

    world = analysed()
    _keywords_only(world)
    monkeypatch.setattr(search_indexing, "REINDEX_BATCH", 4)
    total = len(stored(world))
    embedder = world.search.embedder
    calls = {"n": 0}
    real = embedder.embed

    def fails_on_the_third_batch(texts):
        calls["n"] += 1
        if calls["n"] == 3:
            embedder.down = True
        return real(texts)

    monkeypatch.setattr(embedder, "embed", fails_on_the_third_batch)
    from coaching.ports.embedder import EmbeddingUnavailable

    with pytest.raises(EmbeddingUnavailable):
        reindex(world, ORG)
    checkpoint = world.reindex_checkpoints.load(ORG)
    assert checkpoint is not None
    done = sum(1 for pid in stored(world) if pid <= checkpoint)
    assert done == 8  # two batches finished
    embedder.down = False
    report = reindex(world, ORG)
    assert report.resumed and report.passages == total - 8
    assert all(r.vector is not None for r in stored(world).values())
    assert world.reindex_checkpoints.load(ORG) is None


def test_reindex_can_start_again_from_the_first_passage():
    world = analysed()
    index_session(world, ORG, SESSION)
    world.reindex_checkpoints.save(ORG, max(stored(world)))
    assert reindex(world, ORG, resume=False).passages == len(stored(world))


def test_a_session_that_does_not_exist_is_not_found():
    from coaching.domain.errors import NotFound

    with pytest.raises(NotFound):
        index_session(analysed(), ORG, uuid.uuid4())
