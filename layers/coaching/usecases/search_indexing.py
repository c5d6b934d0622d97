"""Keeping the search index in step with the sessions: index, remove, rebuild.

PostgreSQL (the PassageStore) is written first and is the truth; the vector and keyword
indexes follow it (locally they are the same table, so their calls cost nothing). A remote
index that does not answer is logged, never a failure: searches read every hit back from the
store, so a stale remote entry shows nothing, and `coach search reindex` brings the remote
indexes back in step.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from coaching.domain.errors import NotFound
from coaching.domain.search import Passage
from coaching.ports.embedder import Embedder, EmbeddingUnavailable
from coaching.ports.search_index import SearchBackendUnavailable, SearchPorts
from coaching.search.passages import build_passages
from coaching.usecases.dependencies import Dependencies

log = logging.getLogger(__name__)

# Passages per embedding call and per reindex batch (one checkpoint per batch).
EMBED_BATCH = 64
REINDEX_BATCH = 256


def index_session(deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID) -> int:
    """Replaces the session's passages (transcript, summary items, overview) as stored now;
    returns how many there are. Without an embedder they are kept for keywords alone."""
    return _index(deps, org, session_id)[0]


def _index(deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID) -> tuple[int, int]:
    """How many passages the session has, and how many were given a vector."""
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    passages = build_passages(
        session,
        deps.transcripts.load_transcript(org, session_id),
        deps.participants.load_speakers(org, session_id),
        deps.participants.speaker_clients(org, session_id),
        deps.results.load_client_analyses(org, session_id),
    )
    search = deps.search
    with deps.transactions.outside():  # the model (or OpenAI) holds no transaction open
        vectors = _embed_or_none(search.embedder, passages, session_id)
    previous = set(search.store.delete_session(org, session_id))
    search.store.replace_session(
        org, session_id, passages, vectors, search.embedder.model if vectors is not None else None
    )
    with deps.transactions.outside():  # the store's rows are committed before the remotes
        forget_passages(search, org, sorted(previous - {p.id for p in passages}))
        if vectors:
            with _may_fail("upsert", search.vectors.name):
                search.vectors.upsert(org, passages, vectors)
        if passages:
            with _may_fail("upsert", search.keywords.name):
                search.keywords.upsert(org, passages)
    return len(passages), len(vectors or [])


def remove_session(deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID) -> int:
    """Removes the session's passages from the store and both indexes; how many there were."""
    ids = deps.search.store.delete_session(org, session_id)
    forget_passages(deps.search, org, ids)
    return len(ids)


def forget_passages(search: SearchPorts, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
    """Removes passages the store no longer has from both indexes."""
    if not ids:
        return
    with _may_fail("delete", search.vectors.name):
        search.vectors.delete(org, ids)
    with _may_fail("delete", search.keywords.name):
        search.keywords.delete(org, ids)


@dataclass(frozen=True)
class ReindexProgress:
    """Where a reindex is: ``done`` of ``total`` in an organization's phase ("sessions":
    indexing sessions that have no passages; "passages": embedding and sending every
    passage to the indexes)."""

    organization_id: uuid.UUID
    phase: Literal["sessions", "passages"]
    done: int
    total: int


@dataclass(frozen=True)
class ReindexReport:
    organizations: int
    sessions_indexed: int
    passages: int
    embedded: int  # passages given a vector (none, or another model's, before)
    resumed: bool  # True: at least one organization started after its checkpoint


def reindex(
    deps: Dependencies,
    org: uuid.UUID | None,
    progress: Callable[[ReindexProgress], None] = lambda _: None,
    resume: bool = True,
) -> ReindexReport:
    """Rebuilds one organization's index, or every organization's: sessions with no passage
    are indexed, then every passage, in id order, gets a vector of the current model if it
    lacks one and is sent to both indexes. A checkpoint after each batch lets an interrupted
    reindex resume (``resume``); EmbeddingUnavailable stops it with the checkpoint kept."""
    checkpoints = deps.reindex_checkpoints
    if org is not None:
        organizations = [org]
    elif checkpoints is not None:
        organizations = checkpoints.organizations()
    else:
        raise ValueError("Reindexing every organization needs the list of organizations.")
    totals = {"sessions": 0, "passages": 0, "embedded": 0}
    resumed = False
    for current in organizations:
        indexed, embedded_now = _index_missing_sessions(deps, current, progress)
        totals["sessions"] += indexed
        totals["embedded"] += embedded_now
        after = checkpoints.load(current) if checkpoints is not None and resume else None
        resumed = resumed or after is not None
        passages, embedded = _reindex_passages(deps, current, after, progress)
        totals["passages"] += passages
        totals["embedded"] += embedded
        if checkpoints is not None:
            checkpoints.clear(current)
    return ReindexReport(
        organizations=len(organizations),
        sessions_indexed=totals["sessions"],
        passages=totals["passages"],
        embedded=totals["embedded"],
        resumed=resumed,
    )


def _index_missing_sessions(
    deps: Dependencies, org: uuid.UUID, progress: Callable[[ReindexProgress], None]
) -> tuple[int, int]:
    """Sessions indexed, and passages given a vector on the way."""
    missing = deps.search.store.unindexed_sessions(org)
    embedded = 0
    for done, session_id in enumerate(missing, start=1):
        embedded += _index(deps, org, session_id)[1]
        progress(ReindexProgress(org, "sessions", done, len(missing)))
    return len(missing), embedded


def _reindex_passages(
    deps: Dependencies,
    org: uuid.UUID,
    after: uuid.UUID | None,
    progress: Callable[[ReindexProgress], None],
) -> tuple[int, int]:
    search, checkpoints = deps.search, deps.reindex_checkpoints
    model = search.embedder.model
    total = search.store.count(org)
    done = search.store.count(org, up_to=after) if after is not None else 0
    seen = embedded = 0
    for batch in search.store.batches(org, after=after, size=REINDEX_BATCH):
        stale = [p for p, vector, made_by in batch if vector is None or made_by != model]
        if stale:
            fresh = dict(zip((p.id for p in stale), _embed(search.embedder, stale), strict=True))
            search.store.set_vectors(org, fresh, model)
            embedded += len(fresh)
        else:
            fresh = {}
        passages = [p for p, _, _ in batch]
        vectors = [fresh.get(p.id) or vector for p, vector, _ in batch]
        search.vectors.upsert(org, passages, [v for v in vectors if v is not None])
        search.keywords.upsert(org, passages)
        if checkpoints is not None:
            checkpoints.save(org, passages[-1].id)
        seen += len(batch)
        progress(ReindexProgress(org, "passages", done + seen, total))
    return seen, embedded


def _embed(embedder: Embedder, passages: Sequence[Passage]) -> list[list[float]]:
    texts = [p.text for p in passages]
    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBED_BATCH):
        vectors += embedder.embed(texts[start : start + EMBED_BATCH])
    return vectors


def _embed_or_none(
    embedder: Embedder, passages: Sequence[Passage], session_id: uuid.UUID
) -> list[list[float]] | None:
    if not passages:
        return []
    try:
        return _embed(embedder, passages)
    except EmbeddingUnavailable:
        # Keywords still find the session; `coach search reindex` embeds it later.
        log.warning(
            "session indexed without vectors: the embedder did not answer",
            extra={"session_id": str(session_id), "model": embedder.model},
        )
        return None


@contextmanager
def _may_fail(action: str, index: str) -> Iterator[None]:
    """A remote index that does not answer is logged, not raised (see the module's doc)."""
    try:
        yield
    except SearchBackendUnavailable as error:
        log.warning(
            "a search index did not answer; `coach search reindex` brings it back in step",
            extra={"action": action, "index": index, "error_type": type(error).__name__},
        )
