"""What a session puts in the search index: transcript passages, summary items, the overview.

A passage is a speaker's turn, cut to a size a result can show and an embedding can hold:

- a turn of MIN_TURN_WORDS (8) words or more is its own passage; past MAX_WORDS (120) it is
  split at sentence ends into pieces of about MIN_PIECE_WORDS (40) to MAX_WORDS words (a
  sentence longer than that is cut at MAX_WORDS words; a short last piece joins the one
  before);
- shorter turns ("yeah", "okay", "How did it go?") lead into the next long turn: they are
  joined to its first piece (a question with its answer), unless that would pass MAX_WORDS,
  when they join the passage before; a run of short turns that reaches MIN_PIECE_WORDS on its
  own, or ends the transcript with nothing to join, is a passage by itself.

A passage's ``turn_index``/``turn_end`` are the first and last turn it holds; ``start`` the
time of its first words (a piece of a split turn: interpolated by words within the turn,
when the turn has both times); ``speaker`` whoever says most of its words, and its client
only when that speaker is a client on record. A passage of several speakers writes each
one's words after their name, so a result shows who said what.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coaching.domain.clients import REMOVED_TEXT, SpeakerClient
from coaching.domain.results import ClientAnalysis, SpeakerStats
from coaching.domain.search import Passage, PassageKind, passage_id
from coaching.domain.session import SessionRecord
from coaching.domain.transcript import Transcript, Turn

MIN_TURN_WORDS = 8
MIN_PIECE_WORDS = 40
MAX_WORDS = 120

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Summary lists by the kind their items are indexed as.
_ITEM_LISTS: tuple[tuple[str, PassageKind], ...] = (
    ("wins", "win"),
    ("challenges", "challenge"),
    ("action_items", "action_item"),
    ("coach_recommendations", "recommendation"),
)


@dataclass(frozen=True)
class _Segment:
    """Some words of one turn: the whole turn, or a piece of a split one."""

    turn: Turn
    piece: int
    text: str
    start: float | None

    @property
    def words(self) -> int:
        return len(self.text.split())


def build_passages(
    session: SessionRecord,
    transcript: Transcript,
    speakers: Sequence[SpeakerStats],
    clients: Mapping[str, SpeakerClient],
    analyses: Mapping[str, ClientAnalysis],
) -> list[Passage]:
    """Every passage of the session; ``clients`` maps client speakers to their records,
    ``analyses`` are by client speaker name."""
    client_speakers = {s.name for s in speakers if s.role == "client"}
    on_record = {name: c for name, c in clients.items() if name in client_speakers}
    common: dict[str, Any] = {
        "organization_id": session.organization_id,
        "session_id": session.id,
        "coach_id": session.coach_id,
        "session_date": session_day(session),
        "session_type": session.session_type,
        "source": session.source_name,
    }
    found = [_transcript_passage(group, on_record, common) for group in _group(transcript.turns)]
    found += _item_passages(transcript, on_record, analyses, common)
    if session.session_summary and session.session_summary.strip():
        found.append(
            Passage(
                id=passage_id(session.id, "overview"),
                kind="overview",
                text=session.session_summary.strip(),
                **common,
            )
        )
    return found


def _group(turns: Sequence[Turn]) -> list[list[_Segment]]:
    """The transcript's segments, grouped into passages (the rule in the module's doc)."""
    passages: list[list[_Segment]] = []
    waiting: list[_Segment] = []  # short turns, waiting for the next long one
    for turn in turns:
        text = " ".join(turn.text.split())
        if not text or text == REMOVED_TEXT:
            continue
        if len(text.split()) < MIN_TURN_WORDS:
            waiting.append(_Segment(turn, 0, text, turn.start))
            if _words(waiting) >= MIN_PIECE_WORDS:
                passages.append(waiting)
                waiting = []
            continue
        pieces = [[segment] for segment in _split(turn, text)]
        if waiting:
            if _words(waiting) + _words(pieces[0]) <= MAX_WORDS:
                pieces[0] = waiting + pieces[0]
            elif passages and _words(passages[-1]) + _words(waiting) <= MAX_WORDS:
                passages[-1] += waiting
            else:
                passages.append(waiting)
            waiting = []
        passages += pieces
    if waiting:
        if passages and _words(passages[-1]) + _words(waiting) <= MAX_WORDS:
            passages[-1] += waiting
        else:
            passages.append(waiting)
    return passages


def _words(segments: Sequence[_Segment]) -> int:
    return sum(segment.words for segment in segments)


def _split(turn: Turn, text: str) -> list[_Segment]:
    """A turn as one segment, or a long one cut at sentence ends into pieces."""
    total = len(text.split())
    if total <= MAX_WORDS:
        return [_Segment(turn, 0, text, turn.start)]
    units: list[list[str]] = []  # sentences; one past MAX_WORDS cut into pieces that fit
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        while len(words) > MAX_WORDS:
            units.append(words[:MAX_WORDS])
            words = words[MAX_WORDS:]
        if words:
            units.append(words)
    pieces: list[list[str]] = []
    for unit in units:
        if pieces and (
            len(pieces[-1]) < MIN_PIECE_WORDS or len(pieces[-1]) + len(unit) <= MAX_WORDS
        ):
            pieces[-1] += unit
        else:
            pieces.append(list(unit))
    if len(pieces) > 1 and len(pieces[-1]) < MIN_PIECE_WORDS:
        last = pieces.pop()
        pieces[-1] += last
    segments = []
    before = 0
    for number, piece in enumerate(pieces):
        segments.append(_Segment(turn, number, " ".join(piece), _time_at(turn, before, total)))
        before += len(piece)
    return segments


def _time_at(turn: Turn, words_before: int, total: int) -> float | None:
    if turn.start is None or turn.end is None or turn.end < turn.start or not words_before:
        return turn.start
    return round(turn.start + (turn.end - turn.start) * words_before / total, 2)


def _transcript_passage(
    segments: list[_Segment], clients: Mapping[str, SpeakerClient], common: dict[str, Any]
) -> Passage:
    words: Counter[str] = Counter()
    for segment in segments:
        words[segment.turn.speaker] += segment.words
    # The most words; between equals, whoever spoke first.
    order = {name: -position for position, name in enumerate(dict.fromkeys(words))}
    speaker = max(words, key=lambda name: (words[name], order[name]))
    if len(words) == 1:
        text = " ".join(segment.text for segment in segments)
    else:
        text = "\n".join(f"{segment.turn.speaker}: {segment.text}" for segment in segments)
    first = segments[0]
    client = clients.get(speaker)
    return Passage(
        id=passage_id(common["session_id"], "passage", first.turn.index, first.piece),
        kind="passage",
        speaker=speaker,
        client_id=client.id if client else None,
        client_name=client.name if client else None,
        tags=client.tags if client else (),
        turn_index=first.turn.index,
        turn_end=segments[-1].turn.index,
        start=first.start,
        text=text,
        **common,
    )


def _item_passages(
    transcript: Transcript,
    clients: Mapping[str, SpeakerClient],
    analyses: Mapping[str, ClientAnalysis],
    common: dict[str, Any],
) -> list[Passage]:
    starts = {turn.index: turn.start for turn in transcript.turns}
    found = []
    for name, analysis in analyses.items():
        client = clients.get(name)
        for field, kind in _ITEM_LISTS:
            for position, item in enumerate(getattr(analysis.summary, field)):
                if not item.text.strip():
                    continue
                first = min(item.evidence) if item.evidence else None
                found.append(
                    Passage(
                        id=passage_id(
                            common["session_id"], kind, client.id if client else name, position
                        ),
                        kind=kind,
                        client_id=client.id if client else None,
                        client_name=client.name if client else name,
                        tags=client.tags if client else (),
                        turn_index=first,
                        item_index=position,
                        start=starts.get(first) if first is not None else None,
                        text=item.text.strip(),
                        **common,
                    )
                )
    return found


def session_day(session: SessionRecord) -> dt.date | None:
    """The day a session is filed under: its date, else the day it was received."""
    return session.session_date or (session.created_at.date() if session.created_at else None)
