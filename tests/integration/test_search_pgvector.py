"""The embedded PostgreSQL loads pgvector, and a vector query uses the HNSW index."""

from __future__ import annotations

import datetime as dt

import pytest
from psycopg import sql

from coaching.adapters.postgres.search_indexes import (
    INDEXED_MODEL,
    PgVectorIndex,
)
from coaching.adapters.postgres.search_store import PostgresPassageStore
from coaching.domain.search import Passage, SearchFilters, passage_id
from tests.search_data import bare_session, unit_vector

pytestmark = pytest.mark.integration


def test_the_embedded_server_loads_pgvector(platform):
    with platform.ports.database.transaction() as conn:
        row = conn.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        ).fetchone()
    assert row is not None
    assert tuple(int(part) for part in row["extversion"].split(".")[:2]) >= (0, 6)


def test_a_vector_query_of_the_local_model_reads_the_hnsw_index(platform, organization):
    # Given passages with the local model's vectors
    db = platform.ports.database
    session_id = bare_session(platform, organization)
    passages = [
        Passage(
            id=passage_id(session_id, "passage", n, 0),
            organization_id=organization,
            session_id=session_id,
            kind="passage",
            source="a.vtt",
            text=f"passage {n}",
            session_date=dt.date(2026, 3, 2),
        )
        for n in range(20)
    ]
    vectors = [unit_vector(n) for n in range(20)]
    PostgresPassageStore(db).replace_session(
        organization, session_id, passages, vectors, INDEXED_MODEL
    )
    index = PgVectorIndex(db)
    # When the index is asked (for 20 rows the planner would rather sort: told not to, so
    # only an index that gives the order can answer)
    statement, params = index.statement(organization, vectors[3], SearchFilters(), 5)
    with db.transaction(organization) as conn:
        conn.execute("SET LOCAL enable_sort = off")
        rows = conn.execute(sql.SQL("EXPLAIN ") + statement, params).fetchall()
    plan = "\n".join(row["QUERY PLAN"] for row in rows)
    # Then it reads the partial HNSW index, and the nearest vector is the passage's own
    assert "idx_search_passages_minilm" in plan
    hits = index.query(organization, vectors[3], SearchFilters(), 5)
    assert hits[0].passage_id == passages[3].id
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_the_pipeline_indexes_a_session_with_the_local_models_vectors(platform, organization):
    from tests.review_data import add_coach, reviewed_session

    # Given a session processed by the local runtime
    session_id = reviewed_session(
        platform, organization, add_coach(organization, "Maya")
    ).session_id
    # Then its passages carry the local model's vectors
    with platform.ports.database.transaction(organization) as conn:
        rows = conn.execute(
            "SELECT id, text, model, vector_dims(embedding) AS dims FROM search_passages"
            " WHERE organization_id = %s AND session_id = %s",
            (organization, session_id),
        ).fetchall()
    assert rows and {(r["model"], r["dims"]) for r in rows} == {(INDEXED_MODEL, 384)}
    # And the index finds a passage by its own words, first
    search = platform.deps.search
    wanted = max(rows, key=lambda r: len(r["text"]))
    [vector] = search.embedder.embed([wanted["text"]])
    hits = search.vectors.query(organization, vector, SearchFilters(), 3)
    assert hits[0].passage_id == wanted["id"]
