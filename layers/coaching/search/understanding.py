"""A question read for its filters: who, when, which kind of item, which kind of session.

``understand`` is pure: the caller passes its clock, its time zone and the names it may see.
What it understood leaves the text (so "Marcus's wins last month" searches for nothing but
filters), and each understood part comes back as a chip the caller can show and remove.

"Struggled with delegation" is a topic, not a kind: only the nouns asking for a kind of
summary item ("wins", "challenges", "struggles", "action items", "commitments", "next steps",
"recommendations", "suggestions") filter by kind, since the moments someone *said* they
struggle are transcript passages, which a kind filter would drop. "struggles with ..." is read
as the verb. Likewise "group" alone is a topic; "group sessions", "workshops", "1:1s" are
session types.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from coaching.domain.search import PassageKind
from coaching.domain.session import SessionType
from coaching.search.dates import find_dates
from coaching.search.names import Person, find_names

UnderstoodField = Literal["client_ids", "coach_ids", "kinds", "session_types", "dates"]


class NameCandidate(BaseModel):
    """A client or coach the caller may see, by id and display name."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    name: str


class Understood(BaseModel):
    """One understood part of the question: the filter it sets and the words it came from."""

    model_config = ConfigDict(frozen=True)

    field: UnderstoodField
    value: str  # an id, a kind, a session type, or "YYYY-MM-DD..YYYY-MM-DD" (either side open)
    label: str  # what a chip shows
    words: str  # as written in the question


class Understanding(BaseModel):
    """The question's filters and what is left of it to search for."""

    model_config = ConfigDict(frozen=True)

    text: str
    # The text without the frame around its topic ("the team think about", "when discussing"):
    # what the keyword index matches and highlights. The semantic side embeds ``text``: on
    # QMSum the frame's words cost keyword matching and helped the vectors (bench/search.py).
    topic: str = ""
    client_ids: frozenset[uuid.UUID] = frozenset()
    coach_ids: frozenset[uuid.UUID] = frozenset()
    date_from: dt.date | None = None  # inclusive, in the caller's zone
    date_to: dt.date | None = None
    kinds: frozenset[PassageKind] = frozenset()
    session_types: frozenset[SessionType] = frozenset()
    understood: list[Understood] = []


KIND_WORDS: list[tuple[PassageKind, str, re.Pattern[str]]] = [
    ("win", "Wins", re.compile(r"\b(?:wins|successes|breakthroughs)\b")),
    (
        "challenge",
        "Challenges",
        re.compile(r"\b(?:challenges|struggles(?! with\b)|obstacles|difficulties|setbacks)\b"),
    ),
    (
        "action_item",
        "Action items",
        re.compile(r"\b(?:action items?|commitments|next steps|to-?dos)\b"),
    ),
    ("recommendation", "Recommendations", re.compile(r"\b(?:recommendations?|suggestions)\b")),
]
_SESSION_NOUN = r"(?:sessions?|coaching|calls?|meetings?)"
SESSION_TYPE_WORDS: list[tuple[SessionType, str, re.Pattern[str]]] = [
    (
        "individual",
        "1:1 sessions",
        re.compile(
            r"(?<![\w:])(?:1:1s?|1-on-1s?|one[- ]on[- ]ones?|one[- ]to[- ]ones?"
            rf"|individual {_SESSION_NOUN})(?![\w:])"
        ),
    ),
    ("group", "Group sessions", re.compile(rf"\b(?:group {_SESSION_NOUN}|workshops?)\b")),
]

# Question boilerplate: asked of the search, not searched for.
_OPENING = re.compile(
    r"^(?:(?:please|can you|could you) )?"
    r"(?:(?:show|find|give|get|tell|list|search|look|pull up|bring up)(?: me| us)?"
    r"(?: all| any| the| every)?(?: for| about| on)?"
    r"|summari[sz]e(?: the)?(?: details| key points)?(?: about| of| on| for| from)?"
    r"|(?:who|what|when|where|which|how|why)(?:'s|’s)?"
    r"(?: did| does| do| has| have| had| was| were| is| are)?)"
    r"(?= |$)",
    re.IGNORECASE,
)
_ANYWHERE = re.compile(
    r"\b(?:(?:say|said|says|talk|talked|talks|speak|spoke|mention|mentioned|mentions"
    r"|discuss|discussed)(?: about| of| on)?"
    r"|sessions?|coached by|(?:the )?(?:details|discussions?) (?:about|of|on))\b",
    re.IGNORECASE,
)
# Frames around the topic, wherever the opening left them: someone's view of it ("the team
# think about X", "Sam's opinion on X", "according to Sam, X"), or where it came up ("when
# discussing X", "in the discussion of X"). The holder of a view is at most four words at the
# start; a name the caller may see was taken out before this as a filter.
_HOLDER = r"(?:[\w.'’-]+ ){0,3}?[\w.'’-]+"
_VIEW_FRAME = re.compile(
    rf"^(?:{_HOLDER} )?(?:(?:think|thought|feel|felt|believe|believed|say|said|suggest"
    r"|suggested|propose|proposed|agree|agreed|disagree|disagreed)"
    r"(?: (?:about|of|on|with|regarding|to do))?"
    r"|(?:opinions?|views?|thoughts|stance|position|attitude|reaction|feelings?)"
    r" (?:about|of|on|regarding|towards?))(?= |$)"
    r"|^according to [^,]{1,60},",
    re.IGNORECASE,
)
_WHERE_FRAME = re.compile(
    r"\b(?:when|while|during|in) (?:(?:the|their|a) )?"
    r"(?:discussing|talking about|discussion (?:of|about|on)|conversation (?:of|about|on))",
    re.IGNORECASE,
)
_DANGLING = frozenset(
    "with in on about from of the a an and or for by to during at any all me coach".split()
)


def understand(
    query: str,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    clients: Sequence[NameCandidate],
    coaches: Sequence[NameCandidate],
) -> Understanding:
    """Read ``query`` for names, dates, item kinds and session types, relative to ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware: 'today' is the caller's day")
    reading = _Reading(query)
    reading.dates(now.astimezone(zone).date())
    reading.kinds_and_types()
    people = [Person(c.id, c.name, "client") for c in clients]
    reading.names(people + [Person(c.id, c.name, "coach") for c in coaches])
    return reading.understanding()


class _Reading:
    """A question being read: what is left of it, and what was understood where."""

    def __init__(self, query: str) -> None:
        self.rest = query
        self.chips: list[tuple[int, Understood]] = []
        self.people: dict[str, set[uuid.UUID]] = {"client_ids": set(), "coach_ids": set()}
        self.kinds: set[PassageKind] = set()
        self.session_types: set[SessionType] = set()
        self.date_from: dt.date | None = None
        self.date_to: dt.date | None = None

    def take(self, start: int, end: int) -> str:
        """The words at start:end, blanked out (positions stay those of the query)."""
        words = self.rest[start:end]
        self.rest = self.rest[:start] + " " * (end - start) + self.rest[end:]
        return words.strip()

    def chip(self, start: int, field: UnderstoodField, value: str, label: str, words: str) -> None:
        understood = Understood(field=field, value=value, label=label, words=words)
        self.chips.append((start, understood))

    def dates(self, today: dt.date) -> None:
        # Several phrases narrow together ("since March ... before May").
        for phrase in find_dates(self.rest, today):
            words = self.take(phrase.start, phrase.end)
            self.date_from = _latest(self.date_from, phrase.date_from)
            self.date_to = _earliest(self.date_to, phrase.date_to)
            value = f"{phrase.date_from or ''}..{phrase.date_to or ''}"
            label = _date_label(phrase.date_from, phrase.date_to)
            self.chip(phrase.start, "dates", value, label, words)

    def kinds_and_types(self) -> None:
        for kind, label, pattern in KIND_WORDS:
            for match in list(pattern.finditer(self.rest.lower())):
                self.kinds.add(kind)
                words = self.take(match.start(), match.end())
                self.chip(match.start(), "kinds", kind, label, words)
        for session_type, label, pattern in SESSION_TYPE_WORDS:
            for match in list(pattern.finditer(self.rest.lower())):
                self.session_types.add(session_type)
                words = self.take(match.start(), match.end())
                self.chip(match.start(), "session_types", session_type, label, words)

    def names(self, people: list[Person]) -> None:
        for match in find_names(self.rest, people):
            words = self.take(match.start, match.end)
            for person in match.people:
                field: UnderstoodField = "client_ids" if person.role == "client" else "coach_ids"
                self.people[field].add(person.id)
                self.chip(match.start, field, str(person.id), person.name, words)

    def understanding(self) -> Understanding:
        return Understanding(
            text=_content(self.rest),
            topic=_content(self.rest, frames=True),
            client_ids=frozenset(self.people["client_ids"]),
            coach_ids=frozenset(self.people["coach_ids"]),
            date_from=self.date_from,
            date_to=self.date_to,
            kinds=frozenset(self.kinds),
            session_types=frozenset(self.session_types),
            understood=[chip for _, chip in sorted(self.chips, key=lambda chip: chip[0])],
        )


def _content(rest: str, *, frames: bool = False) -> str:
    """What is left once understood words and boilerplate (and, with ``frames``, the frame
    around the topic) are gone."""
    text = " ".join(rest.split())
    previous = None
    while previous != text:
        previous = text
        text = _OPENING.sub("", text).strip()
        if frames:
            text = " ".join(_WHERE_FRAME.sub(" ", text).split())
            text = _VIEW_FRAME.sub("", text).strip()
        text = " ".join(_ANYWHERE.sub(" ", text).split())
        words = text.strip(" ?!.,;:").split()
        while words and words[0].lower() in _DANGLING:
            words.pop(0)
        while words and words[-1].lower().strip("?!.,;:") in _DANGLING:
            words.pop()
        text = " ".join(words).strip(" ?!.,;:")
    return text


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(a, b) if a and b else a or b


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a and b else a or b


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _date_label(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from and date_to:
        return _day(date_from) if date_from == date_to else f"{_day(date_from)} – {_day(date_to)}"
    if date_from:
        return f"from {_day(date_from)}"
    return f"until {_day(date_to)}" if date_to else ""
