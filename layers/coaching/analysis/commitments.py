"""Was a commitment kept? Judged from what was said in the client's next session.

The rules, in one place:

* **Content words** of a sentence: its words minus stop words (``summary_data/stopwords.txt``,
  though everyday action verbs such as "call", "ask", "talk" stay) and the words of committing
  itself and of dates ("will", "going", "plan", "friday",
  "tomorrow"...), each reduced to its Snowball (English) stem; common irregular past forms
  count as their base verb first ("sent" -> "send", "wrote" -> "write").
* **About the commitment**: a sentence sharing at least ``MIN_SHARED`` (2) of the
  commitment's content words, or all of them when the commitment has fewer.
* **Who counts**: the client's sentences, and the coach's sentences about the client (the
  caller decides which coach turns those are). Questions never count: "Did you send it?"
  reports nothing.
* **Cues**, per clause (a sentence is cut at "but", "although", "though", ";"):
  not done - "didn't", "haven't", "not yet", "never got round to", "ran out of time",
  "forgot", "put it off", "still need to"...; done - a past tense after I/we/you/he/she/they
  ("I sent", "I've booked", "you finally called"), "it's done", "got it done", "managed to",
  "followed through". Within a clause, not done wins (negation: "I haven't sent it").
* **Verdict**: among the sentences about the commitment that carry a cue, the one sharing the
  most content words decides, and on a tie the later one (a correction: "I haven't... -
  actually, I sent it this morning"); within that sentence the last clause with a cue
  decides ("I didn't on Monday, but I sent it on Tuesday" is kept).
  ``kept`` / ``not_kept`` name that sentence's turn; ``unclear`` when the client was in a
  later session but nothing said there settles it; ``pending`` when there is no later
  session yet.

And the engagement trend: engagement levels as numbers (silent 0, low 1, medium 2, high 3),
the least-squares slope over the sessions in order; rising at a slope of at least
``TREND_THRESHOLD`` (0.25 levels per session), falling at -0.25 or below, else steady
(steady too with fewer than two sessions: one point is not a trend).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from coaching.analysis.sentences import sentences_of
from coaching.analysis.stemming import stem as english_stem
from coaching.analysis.summary.lexicon import stop_words
from coaching.domain.results import EngagementLevel
from coaching.domain.transcript import Turn

Kept = Literal["kept", "not_kept", "unclear", "pending"]
Direction = Literal["rising", "falling", "steady"]

MIN_SHARED = 2
TREND_THRESHOLD = 0.25
ENGAGEMENT_VALUE: dict[str, int] = {"silent": 0, "low": 1, "medium": 2, "high": 3}

# Words of committing and of dates: every commitment has them, so they say nothing about
# which one a later sentence is about.
_COMMITMENT_WORDS = frozenset(
    "will going gonna plan planning intend promise commit committed try next step steps "
    "tomorrow tonight weekend morning afternoon evening month monday tuesday wednesday "
    "thursday friday saturday sunday end week".split()
)
# Everyday verbs the topic stop list drops that a commitment is often about ("call the
# landlord"): kept as content words here.
_ACTIONS = frozenset(
    "ask bring call find give help look make show start take talk tell use work put".split()
)
# Irregular past forms (and participles) a report of doing something uses.
_IRREGULAR = {
    "sent": "send",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "told": "tell",
    "made": "make",
    "went": "go",
    "gone": "go",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "paid": "pay",
    "bought": "buy",
    "met": "meet",
    "found": "find",
    "began": "begin",
    "begun": "begin",
    "brought": "bring",
    "thought": "think",
    "left": "leave",
    "ran": "run",
    "kept": "keep",
    "got": "get",
    "gotten": "get",
    "had": "have",
    "said": "say",
    "saw": "see",
    "seen": "see",
    "chose": "choose",
    "chosen": "choose",
    "drew": "draw",
    "drawn": "draw",
    "built": "build",
    "spent": "spend",
    "taught": "teach",
    "read": "read",
    "set": "set",
    "put": "put",
    "did": "do",
    "done": "do",
    "rang": "ring",
    "sang": "sing",
    "sold": "sell",
    "won": "win",
    "held": "hold",
    "led": "lead",
    "fed": "feed",
    "felt": "feel",
    "heard": "hear",
    "understood": "understand",
    "forgave": "forgive",
    "sought": "seek",
    "caught": "catch",
    "rode": "ride",
    "ate": "eat",
    "drove": "drive",
    "flew": "fly",
    "swam": "swim",
    "slept": "sleep",
}
# Past forms after a subject that say what was meant, felt or noticed, not what was done.
_NOT_DEEDS = frozenset(
    "wanted needed planned intended hoped meant tried wished decided supposed used seemed "
    "expected liked loved hated preferred aimed agreed promised considered wondered worried "
    "struggled panicked stressed realised realized noticed remembered assumed guessed "
    "imagined started thought felt heard understood saw seen".split()
)
_NOT_DEED = "|".join(sorted(_NOT_DEEDS))
_IRREGULAR_PAST = "|".join(sorted(set(_IRREGULAR) - _NOT_DEEDS, key=len, reverse=True))
_SUBJECT = r"\b(?:i|we|you|he|she|they)"
_HAVE = r"(?:\s*'ve|\s*'d|\s+have|\s+had)?"
_ADVERB = r"(?:\s+(?:finally|actually|already|just|also|eventually|successfully|really|even))*"
_DONE = re.compile(
    rf"{_SUBJECT}{_HAVE}{_ADVERB}\s+(?:(?!(?:{_NOT_DEED})\b)[a-z]+ed|{_IRREGULAR_PAST})\b"
    r"|\b(?:it'?s|it is|that'?s|that is|it was|all) done\b"
    r"|\bgot (?:it|that|this|them) (?:done|sorted|finished)\b"
    r"|\b(?:managed to|followed through|went ahead and|ticked (?:it|that) off|"
    r"crossed (?:it|that) off|did it|did that|done it|done that)\b",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(
    r"\b(?:didn'?t|did not|haven'?t|have not|hasn'?t|has not|hadn'?t|had not|"
    r"wasn'?t able|was not able|weren'?t able|couldn'?t|could not|not yet|never (?:got|did|"
    r"managed|made|found)|no time|ran out of time|forgot|put (?:it|that|this) off|"
    r"putting (?:it|that|this) off|postponed|fell through|still (?:need|have) to|yet to|"
    r"dropped (?:it|the ball)|not done|failed to|avoided|struggled to|procrastinated|delayed)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"\s*(?:;|\bbut\b|\balthough\b|\bthough\b)\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z'-]*", re.IGNORECASE)


@dataclass(frozen=True)
class Spoken:
    """A turn of the next session that may report on the commitment."""

    turn: Turn
    by_client: bool  # False: the coach, about the client


@dataclass(frozen=True)
class Judgement:
    kept: Kept
    evidence_turn: int | None = None
    evidence_time: float | None = None
    by_client: bool | None = None


def reports_in(turns: list[Turn], speaker: str, *, sole_client: bool) -> list[Spoken]:
    """What a client (``speaker``) said in a session, and what the coach said to or about
    them: every coach turn when they were the only client, else the coach's turns naming
    them by first name. ``turns``: the client's and the coach's, in order."""
    first_name = speaker.split()[0] if speaker.split() else speaker
    naming = re.compile(rf"(?<!\w){re.escape(first_name)}(?!\w)", re.IGNORECASE)
    spoken = []
    for turn in turns:
        if turn.speaker == speaker:
            spoken.append(Spoken(turn, by_client=True))
        elif sole_client or naming.search(turn.text):
            spoken.append(Spoken(turn, by_client=False))
    return spoken


def judge_commitment(commitment: str, next_session: list[Spoken] | None) -> Judgement:
    """``next_session`` None: the client has no later session yet."""
    if next_session is None:
        return Judgement("pending")
    wanted = content_words(_plain(commitment))
    if not wanted:
        return Judgement("unclear")
    needed = min(MIN_SHARED, len(wanted))
    best: tuple[int, int, int, Kept, Spoken] | None = None  # shared, turn, order, verdict
    order = 0
    for spoken in next_session:
        for sentence in sentences_of([spoken.turn]):
            if sentence.text.rstrip().endswith("?"):
                continue
            text = _plain(sentence.text)
            shared = len(wanted & content_words(text))
            verdict = _cue_of(text)
            order += 1
            if shared < needed or verdict is None:
                continue
            candidate = (shared, spoken.turn.index, order, verdict, spoken)
            if best is None or candidate[:3] >= best[:3]:
                best = candidate
    if best is None:
        return Judgement("unclear")
    _, _, _, verdict, spoken = best
    return Judgement(verdict, spoken.turn.index, spoken.turn.start, spoken.by_client)


def missed_commitments(
    commitments: list[str], turns: list[Turn], client: str, coach: str | None, *, sole_client: bool
) -> list[str]:
    """Of a client's commitments from their last session, those this session's turns say
    they did not do (``judge_commitment``: a clear "didn't", not silence)."""
    theirs = [t for t in turns if t.speaker == client or (coach and t.speaker == coach)]
    reports = reports_in(theirs, client, sole_client=sole_client)
    return [c for c in commitments if judge_commitment(c, reports).kept == "not_kept"]


def _cue_of(sentence: str) -> Kept | None:
    """The verdict of the sentence's last clause that has a cue; None without a cue."""
    verdict: Kept | None = None
    for clause in _CLAUSE.split(sentence):
        if _NOT_DONE.search(clause):
            verdict = "not_kept"
        elif _DONE.search(clause):
            verdict = "kept"
    return verdict


def _plain(text: str) -> str:
    """Typographic apostrophes (U+2018, U+2019) as plain ones."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


@lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """The stems of the words that say what the sentence is about."""
    stops = stop_words()
    found = set()
    for word in _WORD.findall(text.casefold()):
        word = word.strip("'-")
        if len(word) < 3 or word in _COMMITMENT_WORDS:
            continue
        base = _IRREGULAR.get(word, word)
        stem = english_stem(base)
        if (word in stops or base in stops) and stem not in _action_stems():
            continue
        found.add(stem)
    return frozenset(found)


@cache
def _action_stems() -> frozenset[str]:
    return frozenset(english_stem(word) for word in _ACTIONS)


@dataclass(frozen=True)
class EngagementTrend:
    values: list[int]
    slope: float | None
    direction: Direction


def engagement_trend(levels: list[EngagementLevel]) -> EngagementTrend:
    """The least-squares slope of the levels over the sessions, oldest first."""
    values = [ENGAGEMENT_VALUE[level] for level in levels]
    if len(values) < 2:
        return EngagementTrend(values, None, "steady")
    slope = statistics.linear_regression(range(len(values)), values).slope
    if slope >= TREND_THRESHOLD:
        direction: Direction = "rising"
    elif slope <= -TREND_THRESHOLD:
        direction = "falling"
    else:
        direction = "steady"
    return EngagementTrend(values, round(slope, 3), direction)
