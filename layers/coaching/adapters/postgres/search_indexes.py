"""The local vector and keyword indexes: the search_passages table itself.

The PassageStore already holds every row, so upsert and delete are no-ops; a query reads the
table through pgvector's HNSW index (cosine) or the full-text GIN index, with every
SearchFilters field applied in SQL. Both answer ids and scores only: results are read back
through the store and checked again (usecases/search.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.search_store import vector_literal
from coaching.domain.errors import TransientError
from coaching.domain.search import Hit, Passage, SearchFilters
from coaching.ports.search_index import SearchBackendUnavailable

# The model migration 0022's HNSW index covers (a partial index: WHERE model = this).
INDEXED_MODEL = "all-MiniLM-L6-v2-int8"
INDEXED_DIMENSIONS = 384
# Candidates the HNSW search keeps (pgvector's default 40): filters are applied to them
# afterwards, so more candidates keep a filtered query's answer full.
EF_SEARCH = 100


def filter_clause(org: uuid.UUID, filters: SearchFilters) -> tuple[sql.Composable, list[Any]]:
    """WHERE conditions on p (search_passages) and s (its session) for every filter."""
    conditions: list[sql.Composable] = [sql.SQL("p.organization_id = %s")]
    params: list[Any] = [org]
    any_of = (
        ("s.coach_id", filters.coach_ids),
        ("p.client_id", filters.client_ids),
        ("p.session_id", filters.session_ids),
        ("p.kind", filters.kinds),
        ("p.session_type", filters.session_types),
    )
    for column, values in any_of:
        if values is not None:  # an empty set: nothing matches
            conditions.append(sql.SQL(column + " = ANY(%s)"))
            params.append(sorted(values, key=str))
    if filters.date_from is not None:
        conditions.append(sql.SQL("p.session_date >= %s"))
        params.append(filters.date_from)
    if filters.date_to is not None:
        conditions.append(sql.SQL("p.session_date <= %s"))
        params.append(filters.date_to)
    return sql.SQL(" AND ").join(conditions), params


# The session gives the coach (a session given to another coach needs no reindex).
_PASSAGES = sql.SQL(
    "search_passages p JOIN sessions s ON s.id = p.session_id"
    " AND s.organization_id = p.organization_id"
)


class PgVectorIndex:
    name = "pgvector"

    def __init__(self, database: Database, model: str = INDEXED_MODEL) -> None:
        self._db = database
        self.model = model  # query vectors are of this model; only its vectors are compared

    def upsert(
        self, org: uuid.UUID, passages: Sequence[Passage], vectors: Sequence[Sequence[float]]
    ) -> None:
        """Nothing to do: the store wrote the vectors."""

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        """Nothing to do: the store deleted the rows."""

    def query(
        self, org: uuid.UUID, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[Hit]:
        statement, params = self.statement(org, vector, filters, limit)
        try:
            with self._db.transaction(org) as conn:
                conn.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}").format(EF_SEARCH))
                rows = conn.execute(statement, params).fetchall()
        except (psycopg.OperationalError, TransientError) as error:
            raise SearchBackendUnavailable("pgvector did not answer.") from error
        return [Hit(passage_id=row["id"], score=float(row["score"])) for row in rows]

    def statement(
        self, org: uuid.UUID, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> tuple[sql.Composed, list[Any]]:
        """The query: ordered by the same expression, under the same predicate, as the HNSW
        index (literals, not parameters: a generic plan could not prove the partial index's
        WHERE from a parameter)."""
        where, params = filter_clause(org, filters)
        distance = sql.SQL("p.embedding::vector({dims}) <=> {query}::vector({dims})").format(
            dims=sql.SQL(str(int(len(vector)))), query=sql.Literal(vector_literal(vector))
        )
        statement = sql.SQL(
            "SELECT p.id, 1 - ({distance}) AS score FROM {passages}"
            " WHERE p.model = {model} AND {where} ORDER BY {distance} LIMIT %s"
        ).format(distance=distance, passages=_PASSAGES, model=sql.Literal(self.model), where=where)
        return statement, [*params, limit]


class PostgresKeywordIndex:
    """websearch_to_tsquery (quotes, "or", -word) ranked by ts_rank_cd; passages with every
    word first, then those with some of them, so a natural question ("who struggled with
    delegation last month") still finds the passage that says "delegation"."""

    name = "postgres"

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert(self, org: uuid.UUID, passages: Sequence[Passage]) -> None:
        """Nothing to do: the store wrote the rows (their tsvector is a generated column)."""

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        """Nothing to do: the store deleted the rows."""

    def query(self, org: uuid.UUID, text: str, filters: SearchFilters, limit: int) -> list[Hit]:
        where, params = filter_clause(org, filters)
        statement = sql.SQL(
            "WITH q AS (SELECT websearch_to_tsquery('english', %s) AS every_word,"
            " (SELECT to_tsquery('simple', coalesce(string_agg(quote_literal(lexeme), ' | '),"
            " '')) FROM unnest(tsvector_to_array(to_tsvector('english', %s))) AS lexeme)"
            " AS some_word)"
            " SELECT p.id, ts_rank_cd(p.content_tsv, q.some_word, 1)"
            " + CASE WHEN p.content_tsv @@ q.every_word THEN 1 ELSE 0 END AS score"
            " FROM {passages}, q WHERE p.content_tsv @@ q.some_word AND {where}"
            " ORDER BY score DESC, p.id LIMIT %s"
        ).format(passages=_PASSAGES, where=where)
        try:
            with self._db.transaction(org) as conn:
                rows = conn.execute(statement, [text, text, *params, limit]).fetchall()
        except (psycopg.OperationalError, TransientError) as error:
            raise SearchBackendUnavailable("PostgreSQL full-text search did not answer.") from error
        return [Hit(passage_id=row["id"], score=float(row["score"])) for row in rows]
