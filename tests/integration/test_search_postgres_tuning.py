"""How the local indexes keep a query fast at scale: the keyword index opens "some of the
words" only to the question's rarest words; the vector index answers a selective filter with
an exact scan and a broad one with the HNSW graph."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import pytest

from coaching.adapters.postgres import search_indexes
from coaching.adapters.postgres.search_indexes import (
    INDEXED_MODEL,
    PgVectorIndex,
    PostgresKeywordIndex,
)
from coaching.adapters.postgres.search_store import PostgresPassageStore
from coaching.domain.search import Passage, SearchFilters, passage_id
from tests.search_data import bare_session, unit_vector

pytestmark = pytest.mark.integration


def _index(
    platform, org, texts: list[str], session_type: str | None = None
) -> tuple[uuid.UUID, list[Passage], list]:
    session_id = bare_session(platform, org)
    passages = [
        Passage(
            id=passage_id(session_id, "passage", n, 0),
            organization_id=org,
            session_id=session_id,
            kind="passage",
            source="a.vtt",
            text=text,
            session_date=dt.date(2026, 3, 2),
            session_type=session_type,
        )
        for n, text in enumerate(texts)
    ]
    vectors = [unit_vector(hash((session_id, n)) % 10_000) for n in range(len(texts))]
    PostgresPassageStore(platform.ports.database).replace_session(
        org, session_id, passages, vectors, INDEXED_MODEL
    )
    return session_id, passages, vectors


def _after_common_words(platform, org, texts: list[str]) -> list[Passage]:
    """Forty passages saying "meeting", then ``texts``, with the planner's word statistics."""
    common = [f"the weekly meeting number {n} went on" for n in range(40)]
    _, passages, _ = _index(platform, org, [*common, *texts])
    with platform.ports.database.transaction() as conn:
        conn.execute("ANALYZE search_passages")
    return passages


def test_a_word_too_common_for_the_budget_only_ranks(platform, organization, monkeypatch):
    # Given many passages with a common word, a few with a rare one, one with both
    passages = _after_common_words(
        platform, organization, ["we reviewed the zanzibar file", "the meeting about zanzibar"]
    )
    index = PostgresKeywordIndex(platform.ports.database)
    # When the budget lets in one word's passages only
    monkeypatch.setattr(search_indexes, "SOME_WORD_BUDGET", 1)
    hits = index.query(organization, "meeting zanzibar", SearchFilters(), 50)
    # Then the rare word's passages answer, both words first, the common word alone never
    assert [h.passage_id for h in hits] == [passages[-1].id, passages[-2].id]
    # And with room for every word, the common word's passages come after them
    monkeypatch.setattr(search_indexes, "SOME_WORD_BUDGET", 10_000)
    hits = index.query(organization, "meeting zanzibar", SearchFilters(), 50)
    assert len(hits) == 42 and hits[0].passage_id == passages[-1].id


def test_a_rare_word_outweighs_a_common_one(platform, organization):
    # Given a common word said again and again in one passage, a rare one once in another
    repeated = "meeting after meeting, the meeting ran long"
    passages = _after_common_words(platform, organization, [repeated, "a note on zanzibar"])
    # When a question holds both words
    hits = PostgresKeywordIndex(platform.ports.database).query(
        organization, "meeting zanzibar", SearchFilters(), 50
    )
    # Then the rare word's passage comes first (it tells more), the common word's next
    assert hits[0].passage_id == passages[-1].id
    assert hits[1].passage_id == passages[-2].id


def _exact_calls(monkeypatch) -> list[SearchFilters]:
    calls: list[SearchFilters] = []
    original = PgVectorIndex.exact_statement

    def spy(self, org, vector, filters, limit):
        calls.append(filters)
        return original(self, org, vector, filters, limit)

    monkeypatch.setattr(PgVectorIndex, "exact_statement", spy)
    return calls


def test_a_selective_filter_is_answered_by_an_exact_scan(platform, organization, monkeypatch):
    # Given two sessions' vectors
    session_id, passages, vectors = _index(platform, organization, [f"p {n}" for n in range(12)])
    _index(platform, organization, [f"q {n}" for n in range(12)])
    calls = _exact_calls(monkeypatch)
    index = PgVectorIndex(platform.ports.database)
    # When one session's nearest are asked for
    only_this = SearchFilters(session_ids=frozenset({session_id}))
    hits = index.query(organization, vectors[5], only_this, 4)
    # Then the filtered rows were scanned exactly, in true distance order
    assert calls == [only_this]
    truth = sorted(
        range(len(vectors)),
        key=lambda n: -sum(a * b for a, b in zip(vectors[n], vectors[5], strict=True)),
    )[:4]
    assert [h.passage_id for h in hits] == [passages[n].id for n in truth]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_no_filter_or_a_broad_one_reads_the_graph(platform, organization, monkeypatch):
    session_id, passages, vectors = _index(platform, organization, [f"p {n}" for n in range(12)])
    calls = _exact_calls(monkeypatch)
    index = PgVectorIndex(platform.ports.database)
    # No filter: the graph
    assert index.query(organization, vectors[2], SearchFilters(), 3)[0].passage_id == (
        passages[2].id
    )
    # A filter keeping more passages than an exact scan is worth: the graph too
    monkeypatch.setattr(search_indexes, "EXACT_SCAN_MAX", 5)
    broad = SearchFilters(session_ids=frozenset({session_id}))
    assert index.query(organization, vectors[2], broad, 3)[0].passage_id == passages[2].id
    assert calls == []


class _GraphOnly:
    """The platform's database, with its planner kept off plain scans: a table this small
    would otherwise be read whole and sorted (exact, so nothing about the graph is seen)."""

    def __init__(self, database) -> None:
        self._db = database

    @contextlib.contextmanager
    def transaction(self, org=None):
        with self._db.transaction(org) as conn:
            conn.execute("SET LOCAL enable_seqscan = off")
            conn.execute("SET LOCAL enable_sort = off")  # the graph's order, not a sort's
            yield conn


def test_a_broad_filter_goes_on_through_the_graph_until_it_has_enough(
    platform, organization, monkeypatch
):
    # Given ten sessions of 30 passages, one of them a group's, and a graph search that keeps
    # only 10 candidates
    sessions = [
        _index(platform, organization, [f"s{s} p{n}" for n in range(30)], kind)
        for s, kind in enumerate(["one_to_one"] * 4 + ["group"] + ["one_to_one"] * 5)
    ]
    monkeypatch.setattr(search_indexes, "EXACT_SCAN_MAX", 5)  # the graph, not an exact scan
    monkeypatch.setattr(search_indexes, "EF_SEARCH", 10)
    session_id, passages, vectors = sessions[4]
    one_session = SearchFilters(session_types=frozenset({"group"}))  # no index of its own
    index = PgVectorIndex(_GraphOnly(platform.ports.database))
    # When 20 of one session's passages are asked for
    hits = index.query(organization, vectors[0], one_session, 20)
    # Then the scan went on past its 10 candidates until the filter kept 20, nearest first
    own = {p.id for p in passages}
    assert len(hits) == 20 and {h.passage_id for h in hits} <= own
    assert hits[0].passage_id == passages[0].id
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # (pgvector 0.6's way, the filter applied to the 10 candidates only, comes back short)
    monkeypatch.setattr(search_indexes, "ITERATIVE_SCAN", "off")
    assert len(index.query(organization, vectors[0], one_session, 20)) < 20


def test_the_matching_function_sees_the_scoped_organization_only(platform, organization):
    # Given the same words in two organizations' passages
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    _, ours, _ = _index(platform, organization, ["the zanzibar file"])
    _index(platform, other, ["the zanzibar file"])
    db = platform.ports.database
    matching = "SELECT id FROM search_passages_matching('zanzibar'::tsquery)"
    # When the restricted role asks the function inside our organization's scope
    with db.transaction(organization) as conn:
        assert conn.execute("SELECT current_user AS who").fetchone()["who"] == "coach_app"
        found = [row["id"] for row in conn.execute(matching).fetchall()]
    # Then only our passage comes back, and with no organization set, nothing does
    assert found == [ours[0].id]
    with db.transaction() as conn:
        assert conn.execute(matching).fetchall() == []
