"""The local vector and keyword indexes: the search_passages table itself.

The PassageStore already holds every row, so upsert and delete are no-ops; a query reads the
table through pgvector's HNSW index (cosine) or the full-text GIN index, with every
SearchFilters field applied in SQL. Both answer ids and scores only: results are read back
through the store and checked again (usecases/search.py).
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable, Sequence
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
# Candidates the HNSW search keeps at a time (pgvector's default 40): the graph's own recall
# (bench/search.py: 0.96 at 100, no filter, 100,000 passages).
EF_SEARCH = 100
# Under a filter, pgvector >= 0.8 goes on through the graph until the filter has kept enough
# rows (an iterative scan; 0.6 stopped at ef_search and filtered what it had, so a filter
# keeping one coach of ten lost most of the true neighbours). relaxed_order lets a later
# batch hold a nearer row, so the rows are sorted again. The scan stops after
# MAX_SCAN_TUPLES rows visited: a filter keeping fewer than ~1 in 400 rows may come back
# short, which is why small filters are answered exactly (EXACT_SCAN_MAX).
ITERATIVE_SCAN = "relaxed_order"
MAX_SCAN_TUPLES = 20_000
# A filter keeping at most this many passages (a session, a client, a small coach's share)
# is answered by an exact scan of them (filter first, then order by distance): recall 1.0 at
# some 4-8 us a passage on the 2-core machine, so ~20-40 ms here; above it the graph is
# faster (measured: 6,000 passages 43 ms exact vs 9 ms HNSW at recall 1.000).
EXACT_SCAN_MAX = 5_000


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


def graph_settings(ef_search: int | None = None) -> sql.Composed:
    """The HNSW settings for this transaction only (set_config's is_local), in one round
    trip (``ef_search``: another than EF_SEARCH, for bench/search.py)."""
    settings = (
        ("hnsw.ef_search", ef_search or EF_SEARCH),
        ("hnsw.iterative_scan", ITERATIVE_SCAN),
        ("hnsw.max_scan_tuples", MAX_SCAN_TUPLES),
    )
    return sql.SQL("SELECT {}").format(
        sql.SQL(", ").join(
            sql.SQL("set_config({}, {}, true)").format(sql.Literal(name), sql.Literal(str(value)))
            for name, value in settings
        )
    )


# The session gives the coach (a session given to another coach needs no reindex).
_PASSAGES = sql.SQL(
    "search_passages p JOIN sessions s ON s.id = p.session_id"
    " AND s.organization_id = p.organization_id"
)


# The passages holding any word of the two queries, found through the GIN index by
# migration 0025's function (row-level security would keep the index unused), with their
# sessions, as _PASSAGES.
_MATCHING = sql.SQL(
    "search_passages_matching(%s::tsquery || %s::tsquery) p JOIN sessions s"
    " ON s.id = p.session_id AND s.organization_id = p.organization_id"
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
        filtered = filters != SearchFilters()
        try:
            with self._db.transaction(org) as conn:
                if filtered and self._few_kept(conn, org, filters):
                    statement, params = self.exact_statement(org, vector, filters, limit)
                else:
                    conn.execute(graph_settings())
                    statement, params = self.statement(org, vector, filters, limit)
                rows = conn.execute(statement, params).fetchall()
        except (psycopg.OperationalError, TransientError) as error:
            raise SearchBackendUnavailable("pgvector did not answer.") from error
        return [Hit(passage_id=row["id"], score=float(row["score"])) for row in rows]

    def _few_kept(self, conn: Any, org: uuid.UUID, filters: SearchFilters) -> bool:
        """Whether the filters keep at most EXACT_SCAN_MAX of this model's passages. The
        planner's estimate answers first (planning only: a count of one coach's share of
        100,000 passages read 5,000 of them, ~15 ms); only an estimate small enough to be
        a misjudged large share is checked by counting, which stops one past the bound."""
        where, params = filter_clause(org, filters)
        kept = sql.SQL("SELECT 1 FROM {passages} WHERE p.model = %s AND {where}").format(
            passages=_PASSAGES, where=where
        )
        [plan] = conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) ") + kept, [self.model, *params])
        if plan["QUERY PLAN"][0]["Plan"]["Plan Rows"] > EXACT_SCAN_MAX:
            return False
        statement = sql.SQL("SELECT count(*) AS n FROM ({kept} LIMIT %s) AS kept").format(kept=kept)
        row = conn.execute(statement, [self.model, *params, EXACT_SCAN_MAX + 1]).fetchone()
        return int(row["n"]) <= EXACT_SCAN_MAX

    def exact_statement(
        self, org: uuid.UUID, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> tuple[sql.Composed, list[Any]]:
        """The filtered passages ordered by their true distance (no cast to the indexed
        expression, so the planner filters first through the btree indexes and sorts)."""
        where, params = filter_clause(org, filters)
        distance = sql.SQL("p.embedding <=> %s::vector")
        statement = sql.SQL(
            "SELECT p.id, 1 - ({distance}) AS score FROM {passages}"
            " WHERE p.model = %s AND {where} ORDER BY {distance} LIMIT %s"
        ).format(distance=distance, passages=_PASSAGES, where=where)
        literal = vector_literal(vector)
        return statement, [literal, self.model, *params, literal, limit]

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
        # MATERIALIZED: the outer sort must not be folded into the index scan's order.
        statement = sql.SQL(
            "WITH nearest AS MATERIALIZED (SELECT p.id, {distance} AS distance FROM {passages}"
            " WHERE p.model = {model} AND {where} ORDER BY {distance} LIMIT %s)"
            " SELECT id, 1 - distance AS score FROM nearest ORDER BY distance, id"
        ).format(distance=distance, passages=_PASSAGES, model=sql.Literal(self.model), where=where)
        return statement, [*params, limit]


class PostgresKeywordIndex:
    """websearch_to_tsquery (quotes, "or", -word); passages with every word first, then
    those with some of them, so a natural question ("who struggled with delegation last
    month") still finds the passage that says "delegation". Within each, a passage scores the
    summed rarity (BM25's IDF) of the words it holds, then their density (ts_rank_cd): plain
    ts_rank_cd counted "team" as much as "microphone" (bench/search.py, 12 QMSum meetings:
    whole-organization keyword MRR 0.25 -> 0.42, 0.46 with the question's frame left out).

    Ranking every passage holding any word of a question is what made a query slow (a common
    word matches a fair share of the table, and each match is read and ranked): only the
    question's rarest words open the "some of them" door, as many as fit in
    ``SOME_WORD_BUDGET`` passages by the planner's word frequencies (pg_stats, kept by
    ANALYZE). Passages with every word always qualify, and a word too common to open the door
    still counts in the rank. With no statistics yet (a new table) every word opens it."""

    name = "postgres"

    def __init__(self, database: Database, clock: Callable[[], float] = time.monotonic) -> None:
        """``clock``: seconds, for how long the word frequencies are kept (a test's)."""
        self._db = database
        self._clock = clock
        self._frequencies: tuple[float, dict[str, float], float] | None = None
        self._lock = threading.Lock()

    def upsert(self, org: uuid.UUID, passages: Sequence[Passage]) -> None:
        """Nothing to do: the store wrote the rows (their tsvector is a generated column)."""

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        """Nothing to do: the store deleted the rows."""

    def query(self, org: uuid.UUID, text: str, filters: SearchFilters, limit: int) -> list[Hit]:
        where, params = filter_clause(org, filters)
        try:
            rows_with, total = self._rows_with_word()
            with self._db.transaction(org) as conn:
                words = conn.execute(
                    "SELECT tsvector_to_array(to_tsvector('english', %s)) AS words,"
                    " websearch_to_tsquery('english', %s)::text AS every",
                    [text, text],
                ).fetchone()
                lexemes = words["words"]
                rare = _any_of(_rarest(lexemes, rows_with))
                every = words["every"]
                weights = _word_weights(lexemes, rows_with, total)
                matched, matched_params = _matched_weight(weights)
                statement = sql.SQL(
                    "SELECT p.id, CASE WHEN p.content_tsv @@ %s::tsquery THEN 1 ELSE 0 END"
                    " + {matched} + {density} * ts_rank_cd(p.content_tsv, %s::tsquery, {norm})"
                    " AS score FROM {matching} WHERE {where} ORDER BY score DESC, p.id LIMIT %s"
                ).format(
                    matched=matched,
                    density=sql.Literal(DENSITY_WEIGHT),
                    norm=sql.Literal(RANK_NORMALIZATION),
                    matching=_MATCHING,
                    where=where,
                )
                rows = conn.execute(
                    statement,
                    [every, *matched_params, _any_of(lexemes), every, rare, *params, limit],
                ).fetchall()
        except (psycopg.OperationalError, TransientError) as error:
            raise SearchBackendUnavailable("PostgreSQL full-text search did not answer.") from error
        return [Hit(passage_id=row["id"], score=float(row["score"])) for row in rows]

    def _rows_with_word(self) -> tuple[dict[str, float], float]:
        """The table's most common words and the rows holding each (the planner's estimate),
        read again every ``WORD_FREQUENCIES_KEPT_S``. Read as the owner: pg_stats shows
        nothing of a table under row-level security to the restricted role. The figures are
        of the whole table (every organization); they only choose which of the caller's
        words may widen the match, never what a result holds."""
        now = self._clock()
        kept = self._frequencies
        if kept is not None and now - kept[0] < WORD_FREQUENCIES_KEPT_S:
            return kept[1], kept[2]
        with self._lock, self._db.new_transaction() as conn:
            row = conn.execute(_COMMON_WORDS).fetchone()
        frequencies: dict[str, float] = {}
        total = 0.0
        if row is not None and row["words"] is not None:
            total = max(float(row["total"]), 0.0)
            frequencies = {
                word: share * total
                for word, share in zip(row["words"], row["shares"], strict=False)
            }
        self._frequencies = (now, frequencies, total)
        return frequencies, total


# How much ts_rank_cd (the words' density and closeness, 0 to 1 with normalisation 1|32:
# divided by 1 + log(length), then rank/(rank+1)) adds to the words' summed weights
# (_word_weights): enough to order passages holding the same words.
DENSITY_WEIGHT = 0.1
RANK_NORMALIZATION = 1 | 32

# Passages the "some of the words" match may bring in, summed over the words it keeps: a
# bound on the rows read and ranked, whatever the table's size. bench/search.py, every
# QMSum question over 100,000 passages, whole organization: 1,000 ranks as well as 2,000
# (hybrid R@10 0.398 vs 0.395, MRR 0.234 vs 0.233) in about half the time (keyword query
# p95 11 vs 19 ms); 500 begins to lose (0.393 / 0.227).
SOME_WORD_BUDGET = 1000
WORD_FREQUENCIES_KEPT_S = 300.0

# most_common_elem_freqs has three more entries than most_common_elems (min, max, nulls):
# zip stops at the words.
_COMMON_WORDS = (
    "SELECT s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS shares,"
    " c.reltuples AS total FROM pg_class c LEFT JOIN pg_stats s"
    " ON s.schemaname = c.relnamespace::regnamespace::text AND s.tablename = c.relname"
    " AND s.attname = 'content_tsv' WHERE c.oid = 'search_passages'::regclass"
)


def _rarest(words: Sequence[str], rows_with: dict[str, float]) -> list[str]:
    """The rarest words whose rows fit the budget together (the rarest always, so at least
    one). A word not among the most common is rarer than all of them, and is counted as the
    least common of them (as the planner estimates it)."""
    unlisted = min(rows_with.values(), default=0.0)
    chosen: list[str] = []
    rows = 0.0
    for word in sorted(words, key=lambda w: (rows_with.get(w, unlisted), w)):
        more = rows_with.get(word, unlisted)
        if chosen and rows + more > SOME_WORD_BUDGET:
            break
        chosen.append(word)
        rows += more
    return chosen


def _word_weights(
    words: Sequence[str], rows_with: dict[str, float], total: float
) -> dict[str, float]:
    """Each word's share of the question's evidence: BM25's inverse document frequency,
    normalised to sum to 1, so "team" or "think" count for little beside "microphone". A word
    not among the most common is counted as the least common of them (as _rarest); with no
    statistics every word weighs the same."""
    unlisted = min(rows_with.values(), default=0.0)
    idf = {
        word: math.log(1 + (total - n + 0.5) / (n + 0.5))
        for word in words
        for n in (min(rows_with.get(word, unlisted), total),)
    }
    whole = sum(idf.values())
    return {word: weight / whole for word, weight in idf.items()} if whole else {}


def _matched_weight(weights: dict[str, float]) -> tuple[sql.Composable, list[Any]]:
    """The summed weights of the question's words a passage holds (0 to 1), and its params."""
    if not weights:
        return sql.SQL("0"), []
    terms = [sql.SQL("%s * (p.content_tsv @@ %s::tsquery)::int") for _ in weights]
    params: list[Any] = []
    for word, weight in weights.items():
        params += [weight, _any_of([word])]
    return sql.SQL("(") + sql.SQL(" + ").join(terms) + sql.SQL(")"), params


def _any_of(words: Sequence[str]) -> str:
    """A tsquery matching any of these lexemes, as text (each quoted: a lexeme is taken as
    it is, never parsed again)."""
    return " | ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words)
