"""The embedded PostgreSQL loads pgvector, and a vector query uses the HNSW index."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import pytest
from psycopg import sql

from coaching.adapters.postgres.search_indexes import (
    INDEXED_DIMENSIONS,
    INDEXED_MODEL,
    PgVectorIndex,
)
from coaching.adapters.postgres.search_store import PostgresPassageStore
from coaching.domain.search import Passage, SearchFilters, passage_id
from coaching.domain.session import SessionRecord

pytestmark = pytest.mark.integration


def test_the_embedded_server_loads_pgvector(platform):
    with platform.ports.database.transaction() as conn:
        row = conn.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        ).fetchone()
    assert row is not None
    assert tuple(int(part) for part in row["extversion"].split(".")[:2]) >= (0, 6)


def _unit(seed: int) -> list[float]:
    raw = [math.sin(seed * 7.1 + n) for n in range(INDEXED_DIMENSIONS)]
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def test_a_vector_query_of_the_local_model_reads_the_hnsw_index(platform, organization):
    # Given passages with the local model's vectors
    db = platform.ports.database
    session_id = uuid.uuid4()
    platform.deps.sessions.create_session(
        organization,
        SessionRecord(
            id=session_id,
            organization_id=organization,
            source_name="a.vtt",
            transcript_key=f"transcripts/{organization}/{session_id}/a.vtt",
            content_sha256=uuid.uuid4().hex * 2,
        ),
    )
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
    vectors = [_unit(n) for n in range(20)]
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
