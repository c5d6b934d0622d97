"""Natural-language search over the sessions a caller may see: understand the question, ask
both indexes, fuse, read the passages back from PostgreSQL and check them again.

The indexes only answer ids; every result is hydrated from the PassageStore and dropped unless
it is in the caller's organization, visible to them and inside the filters, so a stale entry
in a remote index can never show anything it should not.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from coaching.domain.errors import NotFound, Unprocessable
from coaching.domain.identity import Principal, Role, Visibility
from coaching.domain.search import Hit, Passage, PassageKind, SearchFilters, passage_id
from coaching.ports.directory import Directory
from coaching.ports.embedder import EmbeddingUnavailable
from coaching.ports.search_index import SearchBackendUnavailable, SearchPorts
from coaching.ports.search_vocabulary import RecentQueries, SearchVocabulary
from coaching.search.cursor import BadCursor, fingerprint, make_cursor, read_cursor
from coaching.search.fusion import Fused, fuse
from coaching.search.snippets import make_snippet, query_stems
from coaching.search.understanding import (
    NameCandidate,
    Understanding,
    Understood,
    understand,
)
from coaching.usecases.access import visibility_for

# How many ids each index is asked for: the pool fusion ranks and paging walks through.
CANDIDATES = 50
SUGGESTIONS = 10
RECENT_QUERIES_SHOWN = 5
# How far back a turn is looked for as the start of the passage holding it (short turns are
# joined with their neighbours, so a turn may sit inside a passage that starts earlier).
TURN_LOOKBACK = 30
PIECES_LOOKED_AT = 10  # of each of those turns (a long turn's later pieces start passages too)
# Candidates read back at a time when a page is short of what it needs (some were dropped).
PAGE_READ_MIN = 10
# Threads that ask the keyword index while the calling thread embeds the question; kept
# (starting a thread per search cost ~2 ms). A burst beyond them waits its turn.
_KEYWORD_ASKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-keywords")


@dataclass(frozen=True)
class SearchDeps:
    search: SearchPorts
    directory: Directory
    vocabulary: SearchVocabulary
    recent_queries: RecentQueries
    cursor_key: bytes  # signs paging cursors


@dataclass(frozen=True)
class RequestedFilters:
    """What the caller asked for explicitly; each field set here wins over the question."""

    client_ids: frozenset[uuid.UUID] | None = None
    coach_ids: frozenset[uuid.UUID] | None = None
    kinds: frozenset[PassageKind] | None = None
    session_types: frozenset[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class SearchRequest:
    query: str
    filters: RequestedFilters = RequestedFilters()
    limit: int = 10
    cursor: str | None = None


@dataclass(frozen=True)
class SimilarRequest:
    """More like one passage or item (``passage_id``), or the passage holding one turn."""

    passage_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    turn_index: int | None = None
    filters: RequestedFilters = RequestedFilters()
    limit: int = 10
    cursor: str | None = None


def search(
    deps: SearchDeps, principal: Principal, request: SearchRequest, now: dt.datetime
) -> dict[str, Any]:
    visibility = visibility_for(principal, deps.directory)  # support: 403, nothing read
    org = principal.organization_id
    clients = deps.vocabulary.clients(org, visibility.coach_ids)
    coaches = deps.vocabulary.coaches(org, visibility.coach_ids)
    understanding = understand(
        request.query,
        now=now,
        zone=_zone(deps, principal),
        clients=[NameCandidate(id=c.id, name=c.name) for c in clients],
        coaches=[NameCandidate(id=c.id, name=c.name) for c in coaches],
    )
    filters, understood = _filters(request.filters, understanding, visibility)
    text = (understanding.text or "").strip() or request.query
    topic = understanding.topic.strip() or text  # the keyword side's words (understanding.py)
    offset = _offset(deps, principal, request.cursor, "search", request.query, filters)
    semantic, keyword, degraded = _ask_both(deps, org, text, topic, filters)
    page = _page(
        deps, org, fuse(semantic, keyword), filters, visibility, limit=request.limit, offset=offset
    )
    if principal.role is not Role.SERVICE:  # a key has no user whose suggestions these are
        deps.recent_queries.remember(org, principal.user_id, request.query, now)
    stems = query_stems(topic)
    return {
        "query": request.query,
        "results": [_result(passage, fused, stems) for passage, fused in page.found],
        "filters": _filters_answer(filters, understood, clients, coaches),
        "degraded": degraded,
        "next_cursor": _next_cursor(deps, principal, page, "search", request.query, filters),
    }


def search_similar(
    deps: SearchDeps, principal: Principal, request: SimilarRequest, now: dt.datetime
) -> dict[str, Any]:
    """Passages like one the caller may see (by its stored vector), in the same filters and
    visibility, never itself. Without a stored vector (embedding was down when it was
    indexed): by its words, and ``degraded`` says so."""
    visibility = visibility_for(principal, deps.directory)
    org = principal.organization_id
    source = _source_passage(deps, org, request, visibility)
    filters, _ = _filters(request.filters, None, visibility)
    offset = _offset(deps, principal, request.cursor, "similar", source.id, filters)
    degraded: list[str] = []
    model = deps.search.embedder.model
    vector = deps.search.store.vectors(org, [source.id], model).get(source.id)
    semantic: list[Hit] = []
    keyword: list[Hit] = []
    if vector is None:
        degraded.append("semantic")
        keyword = _keyword(deps, org, source.text, filters, degraded)
    else:
        semantic = _semantic(deps, org, vector, filters, degraded)
    fused = [hit for hit in fuse(semantic, keyword) if hit.passage_id != source.id]
    page = _page(deps, org, fused, filters, visibility, limit=request.limit, offset=offset)
    return {
        "query": source.text[:500],
        "results": [_result(passage, hit, frozenset()) for passage, hit in page.found],
        "filters": _filters_answer(filters, [], [], []),
        "degraded": degraded,
        "next_cursor": _next_cursor(deps, principal, page, "similar", source.id, filters),
    }


def suggest(deps: SearchDeps, principal: Principal, q: str) -> dict[str, Any]:
    """Completions for what the caller is typing: names of clients and coaches they may see,
    their clients' tags, and their own recent questions."""
    visibility = visibility_for(principal, deps.directory)
    org = principal.organization_id
    typed = q.strip().casefold()
    suggestions: list[dict[str, str]] = []
    clients = deps.vocabulary.clients(org, visibility.coach_ids)
    for client in sorted(clients, key=lambda c: c.name.casefold()):
        if _completes(client.name, typed):
            suggestions.append({"kind": "client", "value": str(client.id), "label": client.name})
    for coach in sorted(deps.vocabulary.coaches(org, visibility.coach_ids), key=lambda c: c.name):
        if _completes(coach.name, typed):
            suggestions.append({"kind": "coach", "value": str(coach.id), "label": coach.name})
    for tag in sorted({tag for client in clients for tag in client.tags}, key=str.casefold):
        if _completes(tag, typed):
            suggestions.append({"kind": "tag", "value": tag, "label": tag})
    if principal.role is not Role.SERVICE:
        for asked in deps.recent_queries.recent(org, principal.user_id, RECENT_QUERIES_SHOWN):
            if not typed or typed in asked.casefold():
                suggestions.append({"kind": "query", "value": asked, "label": asked})
    return {"suggestions": suggestions[:SUGGESTIONS]}


def _completes(name: str, typed: str) -> bool:
    """Empty input completes everything; else any word of ``name`` starts with it, or the
    whole name does."""
    folded = name.casefold()
    return not typed or folded.startswith(typed) or any(w.startswith(typed) for w in folded.split())


# -- filters -------------------------------------------------------------------------------
def _filters(
    requested: RequestedFilters, understanding: Understanding | None, visibility: Visibility
) -> tuple[SearchFilters, list[dict[str, str]]]:
    """Each field: the request's if it set one, else the question's; the coaches always
    narrowed to those the caller may see. Returns the chips of what the question set."""
    applied: dict[str, Any] = {}
    understood: list[dict[str, str]] = []
    for name in ("client_ids", "coach_ids", "kinds", "session_types", "date_from", "date_to"):
        explicit = getattr(requested, name)
        from_question = getattr(understanding, name) if understanding else None
        if explicit is not None:
            applied[name] = explicit
        elif from_question:
            applied[name] = from_question
    for chip in understanding.understood if understanding is not None else []:
        # A chip shows a filter the question set, so none for a field the request set.
        explicit = (
            _dates_requested(requested)
            if chip.field == "dates"
            else (getattr(requested, chip.field) is not None)
        )
        if not explicit:
            understood.append(_chip(chip))
    coach_ids = applied.get("coach_ids")
    if visibility.coach_ids is not None:
        coach_ids = visibility.coach_ids if coach_ids is None else coach_ids & visibility.coach_ids
    return (
        SearchFilters(
            coach_ids=coach_ids,
            client_ids=applied.get("client_ids"),
            kinds=applied.get("kinds"),
            session_types=applied.get("session_types"),
            date_from=applied.get("date_from"),
            date_to=applied.get("date_to"),
        ),
        understood,
    )


def _dates_requested(requested: RequestedFilters) -> bool:
    return requested.date_from is not None or requested.date_to is not None


def _chip(chip: Understood) -> dict[str, str]:
    return {"field": chip.field, "value": chip.value, "label": chip.label, "words": chip.words}


def allows(filters: SearchFilters, org: uuid.UUID, passage: Passage) -> bool:
    """Whether a hydrated passage may be shown: the second check after the index's own."""
    in_dates = passage.session_date is None or (
        (filters.date_from is None or passage.session_date >= filters.date_from)
        and (filters.date_to is None or passage.session_date <= filters.date_to)
    )
    if passage.session_date is None and (filters.date_from or filters.date_to):
        in_dates = False
    return (
        passage.organization_id == org
        and (filters.coach_ids is None or passage.coach_id in filters.coach_ids)
        and (filters.client_ids is None or passage.client_id in filters.client_ids)
        and (filters.session_ids is None or passage.session_id in filters.session_ids)
        and (filters.kinds is None or passage.kind in filters.kinds)
        and (filters.session_types is None or passage.session_type in filters.session_types)
        and in_dates
    )


def _filters_answer(
    filters: SearchFilters,
    understood: list[dict[str, str]],
    clients: Sequence[Any],
    coaches: Sequence[Any],
) -> dict[str, Any]:
    client_names = {c.id: c.name for c in clients}
    coach_names = {c.id: c.name for c in coaches}
    client_ids = sorted(filters.client_ids or (), key=str)
    coach_ids = sorted(filters.coach_ids or (), key=str)
    return {
        "client_ids": [str(i) for i in client_ids] if filters.client_ids is not None else None,
        "client_names": [client_names[i] for i in client_ids if i in client_names],
        "coach_ids": [str(i) for i in coach_ids] if filters.coach_ids is not None else None,
        "coach_names": [coach_names[i] for i in coach_ids if i in coach_names],
        "kinds": sorted(filters.kinds) if filters.kinds is not None else None,
        "session_types": sorted(filters.session_types) if filters.session_types else None,
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "understood": understood,
    }


def _zone(deps: SearchDeps, principal: Principal) -> zoneinfo.ZoneInfo:
    """The caller's zone ("last month" is theirs), else UTC."""
    name = deps.vocabulary.time_zone(principal.organization_id, principal.coach_id)
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# -- asking the indexes --------------------------------------------------------------------
def _ask_both(
    deps: SearchDeps, org: uuid.UUID, text: str, topic: str, filters: SearchFilters
) -> tuple[list[Hit], list[Hit], list[str]]:
    """Semantic and keyword hits, and which side was degraded (semantic first). The keyword
    index is asked while the question is embedded and the vectors searched: the two wait on
    different processes (PostgreSQL, or OpenSearch and Pinecone in AWS)."""
    semantic_degraded: list[str] = []
    keyword_degraded: list[str] = []
    asked = _KEYWORD_ASKERS.submit(_keyword, deps, org, topic, filters, keyword_degraded)
    semantic = _semantic_by_text(deps, org, text, filters, semantic_degraded)
    return semantic, asked.result(), semantic_degraded + keyword_degraded


def _semantic_by_text(
    deps: SearchDeps, org: uuid.UUID, text: str, filters: SearchFilters, degraded: list[str]
) -> list[Hit]:
    try:
        [vector] = deps.search.embedder.embed([text])
    except EmbeddingUnavailable:
        degraded.append("semantic")
        return []
    return _semantic(deps, org, vector, filters, degraded)


def _semantic(
    deps: SearchDeps,
    org: uuid.UUID,
    vector: Sequence[float],
    filters: SearchFilters,
    degraded: list[str],
) -> list[Hit]:
    try:
        return deps.search.vectors.query(org, vector, filters, CANDIDATES)
    except SearchBackendUnavailable:
        degraded.append("semantic")
        return []


def _keyword(
    deps: SearchDeps, org: uuid.UUID, text: str, filters: SearchFilters, degraded: list[str]
) -> list[Hit]:
    try:
        return deps.search.keywords.query(org, text, filters, CANDIDATES)
    except SearchBackendUnavailable:
        degraded.append("keyword")
        return []


# -- the page ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Page:
    found: list[tuple[Passage, Fused]]
    next_offset: int | None


def _page(
    deps: SearchDeps,
    org: uuid.UUID,
    fused: list[Fused],
    filters: SearchFilters,
    visibility: Visibility,
    *,
    limit: int,
    offset: int,
) -> _Page:
    """The page of candidates, each read back from the store and checked again. Read in
    order and only as far as the page and one more (whether there is a next page): the
    indexes filtered already, so nearly every candidate read is shown."""
    wanted = offset + limit + 1
    shown: list[tuple[Passage, Fused]] = []
    read = 0
    while len(shown) < wanted and read < len(fused):
        batch = fused[read : read + max(wanted - len(shown), PAGE_READ_MIN)]
        read += len(batch)
        loaded = {p.id: p for p in deps.search.store.load(org, [h.passage_id for h in batch])}
        shown += [
            (loaded[hit.passage_id], hit)
            for hit in batch
            if hit.passage_id in loaded
            and allows(filters, org, loaded[hit.passage_id])
            and visibility.allows(loaded[hit.passage_id].coach_id)
        ]
    page = shown[offset : offset + limit]
    return _Page(page, offset + limit if len(shown) > offset + limit else None)


def _offset(
    deps: SearchDeps,
    principal: Principal,
    cursor: str | None,
    *bound: object,
) -> int:
    if cursor is None:
        return 0
    try:
        return read_cursor(deps.cursor_key, cursor, fingerprint(principal.actor, *bound))
    except BadCursor:
        raise Unprocessable(
            "The cursor is not one this search gave. Start again without it."
        ) from None


def _next_cursor(deps: SearchDeps, principal: Principal, page: _Page, *bound: object) -> str | None:
    if page.next_offset is None:
        return None
    return make_cursor(deps.cursor_key, page.next_offset, fingerprint(principal.actor, *bound))


def _result(passage: Passage, hit: Fused, stems: frozenset[str]) -> dict[str, Any]:
    snippet = make_snippet(passage.text, stems)
    session = f"/v1/sessions/{passage.session_id}"
    item = passage.kind not in ("passage", "overview") and passage.item_index is not None
    return {
        "passage_id": str(passage.id),
        "session_id": str(passage.session_id),
        "session_date": passage.session_date.isoformat() if passage.session_date else None,
        "source": passage.source,
        "client_id": str(passage.client_id) if passage.client_id else None,
        "client": passage.client_name,
        "coach_id": str(passage.coach_id) if passage.coach_id else None,
        "speaker": passage.speaker,
        "kind": passage.kind,
        "turn_index": passage.turn_index,
        "turn_end": passage.turn_end,
        "item_index": passage.item_index,
        "start": passage.start,
        "score": round(hit.score, 6),
        "matched_by": hit.matched_by,
        "snippet": snippet.text,
        "highlights": [list(span) for span in snippet.highlights],
        "links": {
            "session": session,
            "turn": f"{session}#turn-{passage.turn_index}"
            if passage.turn_index is not None
            else None,
            "summary_item": f"{session}/summaries#{passage.client_id}-{passage.kind}-"
            f"{passage.item_index}"
            if item
            else None,
        },
    }


def _source_passage(
    deps: SearchDeps, org: uuid.UUID, request: SimilarRequest, visibility: Visibility
) -> Passage:
    """The passage "more like this" starts from, if the caller may see it; else 404."""
    if request.passage_id is not None:
        found = deps.search.store.load(org, [request.passage_id])
    elif request.session_id is not None and request.turn_index is not None:
        first = max(0, request.turn_index - TURN_LOOKBACK)
        ids = [
            passage_id_of_turn(request.session_id, turn, piece)
            for turn in range(first, request.turn_index + 1)
            for piece in range(PIECES_LOOKED_AT)
        ]
        found = sorted(
            (
                p
                for p in deps.search.store.load(org, ids)
                if p.turn_index is not None
                and p.turn_index <= request.turn_index <= (p.turn_end or p.turn_index)
            ),
            key=lambda p: -(p.turn_index or 0),  # the passage starting nearest the turn
        )
    else:
        raise Unprocessable("Name a passage_id, or a session_id and a turn_index.")
    visible = [p for p in found if p.organization_id == org and visibility.allows(p.coach_id)]
    if not visible:
        raise NotFound("That passage does not exist.")
    return visible[0]


def passage_id_of_turn(session_id: uuid.UUID, turn_index: int, piece: int) -> uuid.UUID:
    """The id of a transcript passage starting at that piece of that turn (a long turn is
    split into pieces: search/passages.py)."""
    return passage_id(session_id, "passage", turn_index, piece)
