"""Search benchmark: relevance on QMSum (keyword, semantic, hybrid), then speed at scale.

Relevance. Every QMSum meeting becomes a session of one organization (speaker = role, no
timings) indexed through the real use case (search_indexing.index_session: the passage
builder, the local embedder, the PostgreSQL passage store) in a fresh embedded PostgreSQL.
Each specific query is asked as the search asks it (query understanding first; its text, or
the query itself when nothing is left) of the pgvector index, the full-text index and their
weighted reciprocal rank fusion (coaching.search.fusion). A result is a hit when it is from
the query's meeting and its turns overlap a gold ``relevant_text_span``. Recall@k is the share
of queries with a hit in the first k results; MRR the mean of 1/rank of the first hit within
the first 10. Two scopes: the whole organization (every meeting), and only the query's own
meeting (a session filter, as "in this session" would). The fusion grid (k, semantic weight
with keyword weight 1) is chosen on two thirds of the meetings and reported on the held-out
third as well (every third file in name order, as bench/quality_qmsum.py).

Speed. The organization is grown to --passages passages (default 100,000) with copies of
the QMSum sessions (each under its own coach and date, its vectors jittered so that no two
are equal), written through the passage store. Then: query latency p50/p95 for 200 questions
including query understanding, the query embedding, both indexes with filters (a lead's
three coaches and a date range), fusion and reading the results back; recall@10 of the HNSW
index against an exact scan, with and without a filter; indexing throughput (the use case
end to end on real meetings, and the store alone); the added time per session in the
pipeline (index_session per meeting); table and index sizes; memory.

    .venv/bin/python bench/search.py [--data ../shared/data/qmsum] [--passages 100000]

Prints every figure; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))
sys.path.insert(0, str(REPO))

from bench.pipeline import percentile, postgres_rss_mb  # noqa: E402
from coaching.domain.search import Hit, Passage, SearchFilters  # noqa: E402
from coaching.domain.session import SessionRecord  # noqa: E402
from coaching.domain.transcript import Transcript, Turn  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "qmsum"
CANDIDATES = 50  # ids asked of each index, as the search use case does
DEPTH = 10  # MRR's window
GRID_K = (1, 5, 10, 20, 40, 60, 100)
GRID_SEMANTIC_WEIGHT = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
LATENCY_QUERIES = 200
RECALL_QUERIES = 100
# Length of the noise added to a copied vector: cosine ~0.89 to its original, ~0.8 between
# two copies, so that a copy is a neighbour, not a twin (ten near-twins of every passage
# would make the nearest ten a tight cluster no graph index finds whole).
JITTER = 0.5
EF_SEARCH_GRID = (40, 100, 200, 400)
RECALL_EPSILON = 0.01
KEYWORD_BUDGETS = (500, 1000, 2000)
MEETING_PRIOR_WEIGHTS = (0, 0.05, 0.1, 0.2, 0.4)
SESSION_WEIGHTS = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0)
SESSION_TOPS = (1, 2, 3, 5)
SCORE_SHARES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
ZONE = ZoneInfo("UTC")
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class Meeting:
    name: str
    transcript: Transcript
    queries: list[tuple[str, list[tuple[int, int]]]]  # (query, gold turn spans, inclusive)


@dataclasses.dataclass(frozen=True)
class Located:
    """Where a passage is: its session and turns (None: not a transcript passage)."""

    session_id: uuid.UUID
    turn_index: int | None
    turn_end: int | None


class CachedEmbedder:
    """The local model, remembering every text it embedded in a file: a second run of the
    bench (or one after a small change) does not spend half an hour embedding QMSum again.
    Only the relevance part uses it; every timed figure comes from the model itself."""

    def __init__(self, inner, path: Path) -> None:
        self.inner, self.path = inner, path
        self.model, self.dimensions = inner.model, inner.dimensions
        self.known: dict[str, list[float]] = {}
        if path.exists():
            with np.load(path) as saved:
                if str(saved["model"]) == inner.model:
                    self.known = dict(
                        zip(saved["keys"].tolist(), saved["vectors"].tolist(), strict=True)
                    )

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        missing = [text for text in dict.fromkeys(texts) if self.key(text) not in self.known]
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self.known[self.key(text)] = vector
        return [self.known[self.key(text)] for text in texts]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.known)
        vectors = np.asarray([self.known[key] for key in keys], dtype=np.float32)
        np.savez(self.path, model=self.model, keys=np.asarray(keys), vectors=vectors)


def load_meetings(data: Path) -> list[Meeting]:
    meetings = []
    for path in sorted(data.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        turns = [
            Turn(index=i, speaker=row["speaker"] or "Unknown speaker", text=row["content"] or "")
            for i, row in enumerate(raw["meeting_transcripts"])
        ]
        queries = [
            (item["query"], [(int(a), int(b)) for a, b in item["relevant_text_span"]])
            for item in raw["specific_query_list"]
        ]
        meetings.append(Meeting(path.stem, Transcript(format="qmsum", turns=turns), queries))
    return meetings


def held_out(names: Sequence[str]) -> set[str]:
    return {name for i, name in enumerate(sorted(names)) if i % 3 == 2}


# -- the platform ------------------------------------------------------------------------


def start(home: str):
    """A fresh local platform (embedded PostgreSQL, migrations) with the packaged model."""
    os.environ["COACH_HOME"] = home
    os.environ.pop("COACH_DATABASE_URL", None)
    from coaching.adapters.local.embedder import LocalEmbedder
    from coaching.adapters.postgres.search_indexes import PgVectorIndex, PostgresKeywordIndex
    from coaching.adapters.postgres.search_store import PostgresPassageStore
    from coaching.config import get_settings
    from coaching.ports.search_index import SearchServices
    from local_runtime.platform import start_local_platform

    platform = start_local_platform(get_settings(), log_level="ERROR")
    db = platform.ports.database
    embedder = LocalEmbedder()
    search = SearchServices(
        store=PostgresPassageStore(db),
        vectors=PgVectorIndex(db, model=embedder.model),
        keywords=PostgresKeywordIndex(db),
        embedder=embedder,
    )
    return platform, dataclasses.replace(platform.deps, search=search)


def new_session(deps, org: uuid.UUID, name: str, day: dt.date, coach_id=None) -> uuid.UUID:
    session_id = uuid.uuid4()
    record = SessionRecord(
        id=session_id,
        organization_id=org,
        coach_id=coach_id,
        source_name=f"{name}.json",
        transcript_key=f"bench/{session_id}",
        content_sha256=hashlib.sha256(str(session_id).encode()).hexdigest(),
        session_type="group",
        session_date=day,
        processing_status="completed",
    )
    deps.sessions.create_session(org, record)
    return session_id


def index_meetings(  # noqa: PLR0913, PLR0917 (the bench's one set-up)
    deps, org, meetings: list[Meeting], timed: int, cache: Path, coaches: list[uuid.UUID]
) -> tuple[dict[str, uuid.UUID], list]:
    """Every meeting indexed through the real use case, the meetings shared out among the
    coaches in turn (as every session has a coach, so "three coaches of ten" keeps about
    three passages in ten); (session ids, and seconds, passages and turns of the first
    ``timed`` sessions, indexed with the model itself)."""
    from coaching.usecases.search_indexing import index_session

    sessions: dict[str, uuid.UUID] = {}
    timings = []
    model = deps.search.embedder
    cached = CachedEmbedder(model, cache)
    for number, meeting in enumerate(meetings):
        embedder = model if number < timed else cached
        deps = dataclasses.replace(deps, search=dataclasses.replace(deps.search, embedder=embedder))
        day = dt.date(2025, 1, 1) + dt.timedelta(days=2 * number)
        session_id = new_session(deps, org, meeting.name, day, coaches[number % len(coaches)])
        deps.transcripts.save_transcript(org, session_id, meeting.transcript)
        began = time.perf_counter()
        count = index_session(deps, org, session_id)
        if number < timed:
            timings.append((time.perf_counter() - began, count, len(meeting.transcript.turns)))
        sessions[meeting.name] = session_id
        if number % 10 == 9:
            cached.save()  # an interrupted first run keeps what it embedded
        print(f"\r  indexed {number + 1}/{len(meetings)} meetings", end="", file=sys.stderr)
    print(file=sys.stderr)
    cached.save()
    return sessions, timings


def analyze(database_url: str) -> None:
    """The table as autovacuum leaves it after it grows, which the bench does not wait for:
    the planner's statistics (word frequencies the keyword index reads), and the visibility
    map (right after 58,000 inserts, the search use case's p95 was 27 ms, settled 23 ms)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:  # VACUUM: no transaction
        conn.execute("VACUUM (ANALYZE) search_passages")
        conn.execute("VACUUM (ANALYZE) sessions")


def every_passage(deps, org) -> list[tuple[Passage, list[float] | None]]:
    found = []
    for batch in deps.search.store.batches(org, after=None, size=1000):
        found += [(passage, vector) for passage, vector, _ in batch]
    return found


# -- relevance ---------------------------------------------------------------------------


def search_text(query: str) -> str:
    """What the search use case embeds: the understood text, else the query."""
    from coaching.search.understanding import understand

    understood = understand(query, now=NOW, zone=ZONE, clients=[], coaches=[])
    return understood.text.strip() or query


def keyword_text(query: str) -> str:
    """What the search use case sends to the keyword index: the topic, else as embedded."""
    from coaching.search.understanding import understand

    understood = understand(query, now=NOW, zone=ZONE, clients=[], coaches=[])
    return understood.topic.strip() or search_text(query)


def is_hit(located: Located | None, session_id: uuid.UUID, gold: list[tuple[int, int]]) -> bool:
    if located is None or located.session_id != session_id or located.turn_index is None:
        return False
    end = located.turn_end if located.turn_end is not None else located.turn_index
    return any(located.turn_index <= b and a <= end for a, b in gold)


def first_hit(ranked: Sequence[uuid.UUID], hit: Callable[[uuid.UUID], bool]) -> int | None:
    return next((rank for rank, pid in enumerate(ranked, start=1) if hit(pid)), None)


def scores(ranks: Sequence[int | None]) -> dict[str, float]:
    count = len(ranks) or 1
    return {
        "R@5": sum(1 for r in ranks if r is not None and r <= 5) / count,
        "R@10": sum(1 for r in ranks if r is not None and r <= 10) / count,
        "MRR": sum(1 / r for r in ranks if r is not None and r <= DEPTH) / count,
    }


@dataclasses.dataclass
class Asked:
    meeting: str
    session_id: uuid.UUID
    gold: list[tuple[int, int]]
    semantic: list[Hit]
    keyword: list[Hit]
    query: str = ""


def ask_all(deps, org, meetings, sessions, *, own_meeting: bool, vectors) -> list[Asked]:
    asked = []
    for meeting in meetings:
        session_id = sessions[meeting.name]
        filters = (
            SearchFilters(session_ids=frozenset({session_id})) if own_meeting else SearchFilters()
        )
        for query, gold in meeting.queries:
            _, vector = vectors[query]
            semantic = deps.search.vectors.query(org, vector, filters, CANDIDATES)
            keyword = deps.search.keywords.query(org, keyword_text(query), filters, CANDIDATES)
            asked.append(Asked(meeting.name, session_id, gold, semantic, keyword, query))
    return asked


def both_texts(deps, org, meetings, sessions, located, vectors, tune, cache) -> None:  # noqa: PLR0913, PLR0917
    """The semantic side asked with the mean of two vectors, the whole question's and the
    understood text's (the keyword side unchanged): held-out figures beside the search's."""
    from coaching.search import fusion

    questions = sorted(vectors)
    whole = CachedEmbedder(deps.search.embedder, cache).embed(questions)
    mixed = {}
    for question, vector in zip(questions, whole, strict=True):
        text, content = vectors[question]
        mean = np.asarray(content) + np.asarray(vector)
        mixed[question] = (text, (mean / np.linalg.norm(mean)).tolist())
    print("\nSemantic side with the whole question's vector too: held-out R@5/R@10/MRR")
    for own_meeting, label in ((False, "whole organization"), (True, "within the meeting")):
        for name, chosen in (("understood text", vectors), ("question + text", mixed)):
            asked = ask_all(deps, org, meetings, sessions, own_meeting=own_meeting, vectors=chosen)
            testing = [a for a in asked if a.meeting not in tune]
            for side, ranking in (
                ("semantic", lambda a: [h.passage_id for h in a.semantic]),
                ("hybrid", lambda a: [f.passage_id for f in fusion.fuse(a.semantic, a.keyword)]),
            ):
                figures = scores(ranks_of(testing, located, ranking))
                print(
                    f"  {label:20}{name:17}{side:10}"
                    + "".join(f"{figures[m]:7.3f}" for m in ("R@5", "R@10", "MRR"))
                )


def ranks_of(asked: list[Asked], located, ranking) -> list[int | None]:
    return [
        first_hit(ranking(a), lambda pid, a=a: is_hit(located.get(pid), a.session_id, a.gold))
        for a in asked
    ]


def grid_row(setting: str, tuning, testing, located, ranking) -> str:
    """One row of a grid: the setting, then tuning and held-out MRR/R@10."""
    tuned = scores(ranks_of(tuning, located, ranking))
    held = scores(ranks_of(testing, located, ranking))
    return (
        f"  {setting}{tuned['MRR']:.3f}/{tuned['R@10']:.3f}  {held['MRR']:.3f}/{held['R@10']:.3f}"
    )


def relevance(asked: list[Asked], located, label: str, tune: set[str]) -> None:
    from coaching.search import fusion

    def fused(k: float, weight: float) -> Callable[[Asked], list[uuid.UUID]]:
        return lambda a: [
            f.passage_id for f in fusion.fuse(a.semantic, a.keyword, k=k, semantic_weight=weight)
        ]

    semantic = scores(ranks_of(asked, located, lambda a: [h.passage_id for h in a.semantic]))
    keyword = scores(ranks_of(asked, located, lambda a: [h.passage_id for h in a.keyword]))
    default = (fusion.RRF_K, fusion.SEMANTIC_WEIGHT / fusion.KEYWORD_WEIGHT)
    hybrid = scores(ranks_of(asked, located, fused(*default)))
    print(f"\n{label}: {len(asked)} queries")
    print(f"  {'':34}{'R@5':>7}{'R@10':>7}{'MRR':>7}")
    for name, figures in (
        ("keyword only (full-text)", keyword),
        ("semantic only (pgvector)", semantic),
        (f"hybrid, RRF k={default[0]:g} w={default[1]:g} (now)", hybrid),
    ):
        print(f"  {name:34}" + "".join(f"{figures[m]:7.3f}" for m in ("R@5", "R@10", "MRR")))

    tuning = [a for a in asked if a.meeting in tune]
    testing = [a for a in asked if a.meeting not in tune]
    print(f"  fusion grid on the tuning meetings ({len(tuning)} queries): MRR / R@10")
    print("  k \\ semantic weight " + "".join(f"{w:>12g}" for w in GRID_SEMANTIC_WEIGHT))
    best = (-1.0, 0.0, 0.0, 0.0)
    for k in GRID_K:
        row = []
        for weight in GRID_SEMANTIC_WEIGHT:
            figures = scores(ranks_of(tuning, located, fused(k, weight)))
            row.append(f"{figures['MRR']:.3f}/{figures['R@10']:.3f}")
            best = max(best, (figures["MRR"], figures["R@10"], k, weight))
        print(f"  {k:<20}" + "".join(f"{cell:>12}" for cell in row))
    _, _, k, weight = best
    session_evidence(tuning, testing, located, fused)
    score_fusion(tuning, testing, located)
    held = scores(ranks_of(testing, located, fused(k, weight)))
    held_now = scores(ranks_of(testing, located, fused(*default)))
    everywhere = scores(ranks_of(asked, located, fused(k, weight)))
    print(
        f"  best on tuning: k={k:g}, semantic weight {weight:g} (keyword 1): held-out "
        f"R@5 {held['R@5']:.3f} R@10 {held['R@10']:.3f} MRR {held['MRR']:.3f} "
        f"(now: R@10 {held_now['R@10']:.3f} MRR {held_now['MRR']:.3f}); all queries "
        f"R@5 {everywhere['R@5']:.3f} R@10 {everywhere['R@10']:.3f} MRR {everywhere['MRR']:.3f}"
    )


def meeting_prior(database_url: str, asked: list[Asked], located, tune: set[str]) -> None:
    """Does a question name its meeting at all? Each meeting scored by the question's words
    it holds anywhere (each word's rarity among meetings, BM25-style saturation by the
    passages holding it): how often the question's own meeting comes first, in the top 3,
    in the top 10; then the hybrid's candidates reranked by it (the candidates' fused score
    plus ``weight`` times their meeting's prior over the best meeting's), tuning and
    held-out. Not used by the search: it would need a meeting-level word table."""
    import psycopg

    from coaching.search import fusion

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT id, session_id, tsvector_to_array(content_tsv) FROM search_passages"
        ).fetchall()
        words_of = {
            query: conn.execute(
                "SELECT tsvector_to_array(to_tsvector('english', %s))", [keyword_text(query)]
            ).fetchone()[0]
            for query in {a.query for a in asked}
        }
    session_of = {pid: session for pid, session, _ in rows}
    holding: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for _, session, words in rows:
        holding[session].update(set(words))
    meetings_with: Counter[str] = Counter()
    for counts in holding.values():
        meetings_with.update(counts.keys())

    def prior(query: str) -> dict[uuid.UUID, float]:
        found = {
            session: sum(
                math.log(len(holding) / meetings_with[word]) * counts[word] / (counts[word] + 2)
                for word in words_of[query]
                if counts[word]
            )
            for session, counts in holding.items()
        }
        best = max(found.values(), default=0.0) or 1.0
        return {session: value / best for session, value in found.items()}

    priors = {a.query: prior(a.query) for a in asked}
    places = []
    for a in asked:
        ranked = sorted(priors[a.query], key=priors[a.query].__getitem__, reverse=True)
        places.append(ranked.index(a.session_id) + 1 if a.session_id in ranked else None)
    shares = " ".join(
        f"top {n} {sum(1 for p in places if p is not None and p <= n) / len(places):.3f}"
        for n in (1, 3, 10)
    )
    print(f"  meeting prior: the question's own meeting is at {shares}")

    def reranked(weight: float) -> Callable[[Asked], list[uuid.UUID]]:
        def ranking(a: Asked) -> list[uuid.UUID]:
            fused = fusion.fuse(a.semantic, a.keyword)
            meeting = priors[a.query]
            score = {
                f.passage_id: f.score + weight * meeting.get(session_of.get(f.passage_id), 0)
                for f in fused
            }
            return sorted(score, key=lambda pid: -score[pid])

        return ranking

    print("  reranked by the meeting prior (weight): tuning MRR/R@10, held-out MRR/R@10")
    tuning = [a for a in asked if a.meeting in tune]
    testing = [a for a in asked if a.meeting not in tune]
    for weight in MEETING_PRIOR_WEIGHTS:
        print(grid_row(f"{weight:<10g}", tuning, testing, located, reranked(weight)))


def keyword_budget_at_scale(deps, org, meetings, sessions, located, vectors) -> None:  # noqa: PLR0913, PLR0917
    """Whole-organization relevance and keyword time for each SOME_WORD_BUDGET, once the
    copies are in: only at scale does the budget hold anything back."""
    from coaching.adapters.postgres import search_indexes
    from coaching.search import fusion

    print("Keyword budget (passages the rarest words may bring in), every query, all passages:")
    chosen = search_indexes.SOME_WORD_BUDGET
    semantic = {
        query: deps.search.vectors.query(org, vectors[query][1], SearchFilters(), CANDIDATES)
        for meeting in meetings
        for query, _ in meeting.queries
    }
    for budget in KEYWORD_BUDGETS:
        search_indexes.SOME_WORD_BUDGET = budget
        keyword_ranks, hybrid_ranks, times = [], [], []
        for meeting in meetings:
            session_id = sessions[meeting.name]
            for query, gold in meeting.queries:

                def hit(pid, session_id=session_id, gold=gold):
                    return is_hit(located.get(pid), session_id, gold)

                began = time.perf_counter()
                keyword = deps.search.keywords.query(
                    org, keyword_text(query), SearchFilters(), CANDIDATES
                )
                times.append(time.perf_counter() - began)
                keyword_ranks.append(first_hit([h.passage_id for h in keyword], hit))
                fused = fusion.fuse(semantic[query], keyword)
                hybrid_ranks.append(first_hit([f.passage_id for f in fused], hit))
        k, h = scores(keyword_ranks), scores(hybrid_ranks)
        mark = " (now)" if budget == chosen else ""
        print(
            f"  {budget:>5}{mark:6} keyword R@10 {k['R@10']:.3f} MRR {k['MRR']:.3f}, hybrid"
            f" R@10 {h['R@10']:.3f} MRR {h['MRR']:.3f}; keyword query {ms(times)}"
        )
    search_indexes.SOME_WORD_BUDGET = chosen


def min_max(hits: Sequence[Hit]) -> dict[uuid.UUID, float]:
    """Each backend's scores onto 0..1 (its best 1, its last 0)."""
    if not hits:
        return {}
    top, low = max(h.score for h in hits), min(h.score for h in hits)
    span = (top - low) or 1.0
    return {h.passage_id: (h.score - low) / span for h in hits}


def score_fusion(tuning, testing, located) -> None:
    """Fusion by score magnitudes (a convex combination of min-max normalised scores, a
    passage one backend did not answer counting 0 there), against RRF: tuning and held-out."""

    def convex(share: float) -> Callable[[Asked], list[uuid.UUID]]:
        def ranking(a: Asked) -> list[uuid.UUID]:
            semantic, keyword = min_max(a.semantic), min_max(a.keyword)
            both = dict.fromkeys([*semantic, *keyword])
            combined = {
                pid: share * semantic.get(pid, 0.0) + (1 - share) * keyword.get(pid, 0.0)
                for pid in both
            }
            return sorted(both, key=lambda pid: -combined[pid])

        return ranking

    print("  score fusion (semantic share): tuning MRR/R@10, held-out MRR/R@10")
    for share in SCORE_SHARES:
        print(grid_row(f"{share:<10g}", tuning, testing, located, convex(share)))


def session_evidence(tuning, testing, located, fused) -> None:
    """The fused list (the constants in use) raised by each session's summed evidence
    (fusion.with_session_evidence), for each weight: tuning and held-out queries."""
    from coaching.search import fusion

    session_of = {pid: where.session_id for pid, where in located.items()}
    default = fused(fusion.RRF_K, fusion.SEMANTIC_WEIGHT / fusion.KEYWORD_WEIGHT)

    def boosted(weight: float, top: int) -> Callable[[Asked], list[uuid.UUID]]:
        def ranking(a: Asked) -> list[uuid.UUID]:
            base = fusion.fuse(
                a.semantic,
                a.keyword,
                k=fusion.RRF_K,
                semantic_weight=fusion.SEMANTIC_WEIGHT / fusion.KEYWORD_WEIGHT,
            )
            ranked = fusion.with_session_evidence(base, session_of, weight=weight, top=top)
            return [f.passage_id for f in ranked]

        return ranking

    print("  session evidence (weight, best n): tuning MRR/R@10, held-out MRR/R@10")
    for weight in SESSION_WEIGHTS:
        for top in SESSION_TOPS if weight else (0,):
            ranking = boosted(weight, top) if weight else default
            tuned = scores(ranks_of(tuning, located, ranking))
            held = scores(ranks_of(testing, located, ranking))
            in_use = (weight, top) == (fusion.SESSION_WEIGHT, fusion.SESSION_TOP)
            print(
                f"  {weight:<6g}{top:<4}{tuned['MRR']:.3f}/{tuned['R@10']:.3f}"
                f"  {held['MRR']:.3f}/{held['R@10']:.3f}{' (in use)' if in_use else ''}"
            )


# -- scale -------------------------------------------------------------------------------


def grow(deps, org, originals, target: int, coaches: list[uuid.UUID]) -> tuple[int, float]:
    """Copies of the indexed sessions (jittered vectors, own coach and date) until the
    organization holds ``target`` passages; (passages written, seconds in the store)."""
    by_session: dict[uuid.UUID, list[tuple[Passage, list[float]]]] = {}
    for passage, vector in originals:
        if vector is not None:
            by_session.setdefault(passage.session_id, []).append((passage, vector))
    rng = np.random.default_rng(15)
    sessions = list(by_session.values())
    total, written, seconds, copy = len(originals), 0, 0.0, 0
    while total < target:
        coach = coaches[copy % len(coaches)]
        day = dt.date(2023, 1, 1) + dt.timedelta(days=copy % 1200)
        session_id = new_session(deps, org, f"copy-{copy}", day, coach_id=coach)
        passages, vectors = _copies(sessions[copy % len(sessions)], session_id, coach, day, rng)
        began = time.perf_counter()
        deps.search.store.replace_session(
            org, session_id, passages, vectors, deps.search.embedder.model
        )
        seconds += time.perf_counter() - began
        total += len(passages)
        written += len(passages)
        copy += 1
        print(f"\r  {total} passages", end="", file=sys.stderr)
    print(file=sys.stderr)
    return written, seconds


def _copies(rows, session_id, coach, day, rng) -> tuple[list[Passage], list[list[float]]]:
    passages, vectors = [], []
    for passage, vector in rows:
        update = {
            "id": uuid.uuid5(session_id, str(passage.id)),
            "session_id": session_id,
            "coach_id": coach,
            "session_date": day,
        }
        passages.append(passage.model_copy(update=update))
        noise = rng.normal(size=len(vector))
        jittered = np.asarray(vector) + JITTER * noise / np.linalg.norm(noise)
        vectors.append((jittered / np.linalg.norm(jittered)).tolist())
    return passages, vectors


def make_coaches(db, org: uuid.UUID, count: int) -> list[uuid.UUID]:
    with db.transaction(org) as conn:
        return [
            conn.execute(
                "INSERT INTO coaches (organization_id, email, name) VALUES (%s, %s, %s)"
                " RETURNING id",
                (org, f"coach{number}@bench.example", f"Coach {number}"),
            ).fetchone()["id"]
            for number in range(count)
        ]


def exact_nearest(
    db, org, vector: list[float], filters: SearchFilters, model: str
) -> list[tuple[uuid.UUID, float]]:
    """The true 10 nearest and their cosine distances: the same filters, no index (the cast
    the HNSW index needs is left out, so the planner can only scan)."""
    from psycopg import sql

    from coaching.adapters.postgres.search_indexes import _PASSAGES, filter_clause
    from coaching.adapters.postgres.search_store import vector_literal

    where, params = filter_clause(org, filters)
    statement = sql.SQL(
        "SELECT p.id, p.embedding <=> %s::vector AS distance FROM {passages}"
        " WHERE p.model = %s AND {where} ORDER BY distance LIMIT 10"
    ).format(passages=_PASSAGES, where=where)
    literal = vector_literal(vector)
    with db.transaction(org) as conn:
        rows = conn.execute(statement, [literal, model, *params]).fetchall()
    return [(row["id"], float(row["distance"])) for row in rows]


def sizes(db) -> list[tuple[str, int]]:
    with db.transaction() as conn:
        rows = conn.execute(
            "SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c"
            " WHERE c.relname = 'search_passages' OR c.oid IN (SELECT indexrelid FROM pg_index"
            " WHERE indrelid = 'search_passages'::regclass) ORDER BY bytes DESC"
        ).fetchall()
        toast = conn.execute("SELECT pg_total_relation_size('search_passages') AS bytes").fetchone()
    return [(row["name"], row["bytes"]) for row in rows] + [("total (with TOAST)", toast["bytes"])]


def latency(deps, org, questions, coaches) -> dict[str, list[float]]:
    """Each question as the search runs it: understanding, query embedding, both indexes with
    a lead's filters, fusion, the first page read back from the store."""
    from coaching.search import fusion
    from coaching.search.understanding import understand

    team = frozenset(coaches[:3])
    times: dict[str, list[float]] = {"whole": [], "embedding": [], "semantic": [], "keyword": []}
    for question in questions:
        began = time.perf_counter()
        understood = understand(question, now=NOW, zone=ZONE, clients=[], coaches=[])
        text = understood.text.strip() or question
        filters = SearchFilters(
            coach_ids=team, date_from=dt.date(2023, 3, 1), date_to=dt.date(2025, 12, 31)
        )
        t0 = time.perf_counter()
        vector = deps.search.embedder.embed([text])[0]
        t1 = time.perf_counter()
        semantic = deps.search.vectors.query(org, vector, filters, CANDIDATES)
        t2 = time.perf_counter()
        keyword = deps.search.keywords.query(org, text, filters, CANDIDATES)
        t3 = time.perf_counter()
        page = [f.passage_id for f in fusion.fuse(semantic, keyword)[:10]]
        deps.search.store.load(org, page)
        end = time.perf_counter()
        times["whole"].append(end - began)
        times["embedding"].append(t1 - t0)
        times["semantic"].append(t2 - t1)
        times["keyword"].append(t3 - t2)
    return times


def use_case_latency(platform, search, org, questions, team) -> list[float] | None:
    """The same questions through the search use case itself (usecases/search.py: chips,
    visibility, snippets and highlights too), as an API key with a lead's filters."""
    if not hasattr(type(platform.ports), "search_ports"):
        return None  # the search API part is not merged on this branch
    from coaching.domain.identity import Principal, Role
    from coaching.usecases.search import RequestedFilters, SearchRequest
    from coaching.usecases.search import search as run

    deps = dataclasses.replace(platform.ports.search_ports, search=search)
    principal = Principal(user_id=uuid.uuid4(), organization_id=org, role=Role.SERVICE)
    filters = RequestedFilters(
        coach_ids=frozenset(team), date_from=dt.date(2023, 3, 1), date_to=dt.date(2025, 12, 31)
    )
    times = []
    for question in questions:
        began = time.perf_counter()
        run(deps, principal, SearchRequest(query=question, filters=filters, limit=10), NOW)
        times.append(time.perf_counter() - began)
    return times


def hnsw_recall(deps, db, org, query_vectors, coaches) -> None:
    """Recall@10 against an exact scan, and time: of the HNSW index alone (an iterative scan,
    as the adapter runs it) for each ef_search, then of the adapter itself (an exact scan
    when the filter is selective)."""
    from coaching.adapters.postgres.search_indexes import graph_settings

    model = deps.search.embedder.model
    index = deps.search.vectors

    def hnsw(vector, filters, ef_search):
        statement, params = index.statement(org, vector, filters, 10)
        with db.transaction(org) as conn:
            conn.execute(graph_settings(ef_search))
            rows = conn.execute(statement, params).fetchall()
        return [(row["id"], 1 - float(row["score"])) for row in rows]

    def adapter(vector, filters, _):
        return [(hit.passage_id, 1 - hit.score) for hit in index.query(org, vector, filters, 10)]

    for label, filters in (
        ("no filter", SearchFilters()),
        ("a lead's three coaches of ten", SearchFilters(coach_ids=frozenset(coaches[:3]))),
        ("one coach of ten", SearchFilters(coach_ids=frozenset(coaches[:1]))),
    ):
        exact = [exact_nearest(db, org, vector, filters, model) for vector in query_vectors]
        for how, ask, ef_search in [
            *(("HNSW", hnsw, ef) for ef in EF_SEARCH_GRID),
            ("the adapter", adapter, None),
        ]:
            strict, tolerant, times = [], [], []
            for vector, truth in zip(query_vectors, exact, strict=True):
                began = time.perf_counter()
                found = ask(vector, filters, ef_search)
                times.append(time.perf_counter() - began)
                wanted = max(1, len(truth))
                strict.append(len({i for i, _ in found} & {i for i, _ in truth}) / wanted)
                # ann-benchmarks' recall with epsilon: a passage as near as the true tenth
                # (within 1 %) is as good a neighbour, whichever of near-ties it is
                bound = (truth[-1][1] if truth else 0.0) * (1 + RECALL_EPSILON)
                tolerant.append(min(1.0, sum(d <= bound for _, d in found) / wanted))
            setting = f", ef_search {ef_search}" if ef_search else ""
            print(
                f"vector recall@10 vs exact   {statistics.mean(strict):.3f}"
                f" (within 1 %: {statistics.mean(tolerant):.3f}), {ms(times)}: "
                f"{label}, {how}{setting}"
            )


def ms(values: list[float]) -> str:
    return (
        f"p50 {1000 * statistics.median(values):6.1f} ms, "
        f"p95 {1000 * percentile(values, 0.95):6.1f} ms"
    )


def main() -> None:  # noqa: PLR0914, PLR0915 (one report, printed in order)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--passages", type=int, default=100_000, help="passages at scale")
    parser.add_argument(
        "--meetings", type=int, default=0, help="N meetings spread over the set (0: all 162)"
    )
    parser.add_argument(
        "--timed", type=int, default=5, help="sessions indexed (and timed) without the cache"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=REPO / "build" / "bench-search-vectors.npz",
        help="passage vectors kept between runs (relevance only)",
    )
    parser.add_argument("--skip-scale", action="store_true", help="relevance only")
    args = parser.parse_args()
    meetings = load_meetings(args.data)
    if args.meetings:
        step = max(1, len(meetings) // args.meetings)
        meetings = meetings[::step][: args.meetings]
    if not meetings:
        sys.exit(f"no .json files in {args.data}")

    began = time.perf_counter()
    platform, deps = start(tempfile.mkdtemp(prefix="coach-bench-search-"))
    org = platform.settings.default_organization_id
    print(f"engine start (once)         {time.perf_counter() - began:.2f} s")
    deps.search.embedder.embed(["warm up"])  # the model's load is not a session's cost

    coaches = make_coaches(platform.ports.database, org, 10)
    sessions, timings = index_meetings(deps, org, meetings, args.timed, args.cache, coaches)
    originals = every_passage(deps, org)
    analyze(platform.settings.database_url)
    located = {
        p.id: Located(p.session_id, p.turn_index, p.turn_end)
        for p, _ in originals
        if p.kind == "passage"
    }
    seconds = [t for t, _, _ in timings]
    passages = sum(n for _, n, _ in timings)
    turns = sum(len(m.transcript.turns) for m in meetings)
    print(f"QMSum meetings              {len(meetings)}: {turns} turns -> {len(located)} passages")
    if timings:  # --timed 0: relevance from cached vectors only
        print(
            f"index_session per meeting   {ms(seconds)}, mean "
            f"{1000 * statistics.mean(seconds):.0f} ms"
            f" ({statistics.mean(n for _, n, _ in timings):.0f} passages, "
            f"{statistics.mean(n for _, _, n in timings):.0f} turns a meeting; "
            f"{len(timings)} timed)"
        )
        print(
            f"indexing throughput         {passages / sum(seconds):.0f} passages/s end to end "
            "(passage builder + local embedding + store)"
        )

    queries = {q for m in meetings for q, _ in m.queries}
    texts = {q: search_text(q) for q in queries}
    embedded = CachedEmbedder(deps.search.embedder, args.cache).embed(
        [texts[q] for q in sorted(queries)]
    )
    vectors = {q: (texts[q], v) for q, v in zip(sorted(queries), embedded, strict=True)}
    tune = set(m.name for m in meetings) - held_out([m.name for m in meetings])
    for own_meeting, label in (
        (False, "Relevance, the whole organization (every meeting)"),
        (True, "Relevance, within the query's meeting (a session filter)"),
    ):
        asked = ask_all(deps, org, meetings, sessions, own_meeting=own_meeting, vectors=vectors)
        relevance(asked, located, label, tune)
        if not own_meeting:
            meeting_prior(platform.settings.database_url, asked, located, tune)
    both_texts(deps, org, meetings, sessions, located, vectors, tune, args.cache)

    if args.skip_scale:
        return
    print(f"\nSpeed at {args.passages} passages")
    written, store_seconds = grow(deps, org, originals, args.passages, coaches)
    analyze(platform.settings.database_url)
    print(
        f"store throughput            {written / store_seconds:.0f} passages/s "
        f"({written} generated, vectors given: writes, HNSW and GIN upkeep)"
    )
    keyword_budget_at_scale(deps, org, meetings, sessions, located, vectors)
    rng = random.Random(15)  # noqa: S311 - a repeatable sample, not a secret
    questions = rng.sample(sorted(queries), min(LATENCY_QUERIES, len(queries)))
    times = latency(deps, org, questions, coaches)
    print(f"query, whole                {ms(times['whole'])} (understanding to results read)")
    print(f"  query embedding           {ms(times['embedding'])}")
    print(f"  pgvector (HNSW), filtered {ms(times['semantic'])}")
    print(f"  full-text, filtered       {ms(times['keyword'])}")
    whole = use_case_latency(platform, deps.search, org, questions, coaches[:3])
    if whole is not None:
        print(f"search use case             {ms(whole)} (usecases/search.py, same filters)")

    db = platform.ports.database
    hnsw_recall(deps, db, org, [vectors[q][1] for q in questions[:RECALL_QUERIES]], coaches)
    for name, size in sizes(db):
        print(f"size {name:32} {size / 2**20:8.1f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS                    {peak:.0f} MB (this process, with the model) + "
        f"{postgres_rss_mb():.0f} MB (PostgreSQL processes now)"
    )


if __name__ == "__main__":
    main()
