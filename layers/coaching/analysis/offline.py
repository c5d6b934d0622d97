"""The offline analyzer: deterministic rules, no network, no API key.

Everything an item says is a sentence the client (or, for recommendations, the coach) said,
with the turn it came from as evidence. The rules, in one place:

* **Wins**: the client's sentences reporting progress or success ("I managed", "went well",
  "proud", "finally") and any breakthrough sentence.
* **Challenges**: the client's sentences naming difficulty ("struggle", "stuck", "hard to",
  "overwhelmed", "worried", "I can't").
* **Action items**: the client's first-person commitments ("I will", "I'm going to",
  "I plan to", "my next step"); owner is the client; due is the ISO date their words name
  ("by Friday", "tomorrow", "before the fifteenth"), counted from the session date, and
  due_phrase those words (kept when they name no date, e.g. "before we meet again"): the
  rules are in ``analysis/due_dates.py``.
* **Coach recommendations**: the coach's suggestions ("you could", "try", "I suggest",
  "what if you") said within two turns after one of the client's turns, or naming the client.
* **Breakthrough**: a client sentence of realisation ("I realise", "now I see", "never
  thought of it").
* **Engagement**: the client's speaking share against an equal share of the named speakers:
  ratio >= 0.8 high, >= 0.4 medium, > 0 low; no words at all is silent.
* **Follow-up priority** (0..1), each part kept as a reason (``priority_reasons``, code and
  label, weightiest first): 0.40 if the client said they are stuck or overwhelmed ("stuck",
  "overwhelmed", "burnt out", "can't cope") + 0.25 x engagement gap (silent 1, low 0.7,
  medium 0.3, high 0) + 0.20 if challenges were raised without any commitment + 0.15 if
  the client's sentiment fell over the session (``analysis/sentiment.py``) + 0.15 if no
  commitment at all + 0.10 if they mentioned a sensitive topic (``analysis/sensitive.py``)
  + 0.10 if neither a win nor a breakthrough was heard. Someone who says they are stuck
  outranks someone who only listened: quiet is not distress.
Questions are never taken as wins, challenges or commitments, and a sentence lands in one
category only: a commitment first, else a win, else a challenge.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from coaching.analysis.due_dates import resolve_due
from coaching.analysis.lexicon import Lexicon
from coaching.analysis.sensitive import categories_of
from coaching.analysis.sentences import Sentence, sentences_of
from coaching.analysis.sentiment import is_falling
from coaching.domain.results import (
    ActionItem,
    ClientAnalysis,
    ClientSummary,
    EngagementLevel,
    Item,
    Moment,
    PriorityCode,
    PriorityReason,
    SpeakerStats,
    TurnLabel,
)
from coaching.domain.transcript import UNKNOWN_SPEAKER, Transcript

MAX_ITEMS = 5
MAX_ITEM_CHARS = 240

_WIN = Lexicon(
    r"\b(i managed|i did it|i finally|finally (got|did|managed)|i was able to|went (really )?well|"
    r"worked (really )?well|i'?m proud|proud of|made progress|making progress|it worked|"
    r"i succeeded|i finished|i completed|i achieved|i got (it|the)|feel(ing)? (much )?better|"
    r"i'?ve been able|breakthrough|it helped|that helped)\b",
)
_CHALLENGE = Lexicon(
    r"\b(struggl\w*|difficult|hard (for me|to)|i can'?t|i cannot|stuck|overwhelm\w*|worried|"
    r"anxious|frustrat\w*|i don'?t know how|not sure how|afraid|stress\w*|keep failing|"
    r"i keep (forgetting|putting|avoiding)|procrastinat\w*|too much|burn(ed|t)? out)\b",
)
_COMMITMENT = Lexicon(
    r"\b(i will|i'?ll|i am going to|i'?m going to|i'?m gonna|i plan to|i commit to|"
    r"my next step|i want to try|i intend to|i promise to|i'?ll make sure)\b",
)
_BREAKTHROUGH = Lexicon(
    r"\b(i reali[sz]e|i just reali[sz]ed|i'?ve reali[sz]ed|now i see|i see now|never thought "
    r"(of|about)|it clicked|that clicked|light ?bulb|aha|i hadn'?t (considered|thought)|"
    r"that changes (everything|things)|makes (so much )?sense now)\b",
)
_ADVICE = Lexicon(
    r"\b(you could|you might|try(ing)?|i suggest|i'?d suggest|i recommend|i'?d recommend|"
    r"what if you|consider|it might help|maybe you|how about|one option|my suggestion)\b",
)
# Distress, not difficulty: a challenge weighs less than "I'm stuck" or "I'm overwhelmed".
_STUCK = Lexicon(
    r"\b(stuck|overwhelm\w*|burn(ed|t|ing)? ?out|can'?t cope|cannot cope|drowning|exhausted|"
    r"at my wits'? end|at a loss|hopeless|going (round|around) in circles)\b",
)
_ENGAGEMENT_GAP = {"silent": 1.0, "low": 0.7, "medium": 0.3, "high": 0.0}


class OfflineAnalyzer:
    name = "offline"

    def analyze_client(
        self,
        transcript: Transcript,
        client: str,
        coach: str | None,
        speakers: list[SpeakerStats],
        session_date: dt.date | None = None,
        labels: list[TurnLabel] | None = None,
    ) -> ClientAnalysis:
        client_sentences = [
            s
            for s in sentences_of([t for t in transcript.turns if t.speaker == client])
            if not s.text.rstrip().endswith("?")
        ]
        # Each sentence lands in one category: a commitment, else a win, else a challenge.
        commitments = _matching(client_sentences, _COMMITMENT)
        rest = [s for s in client_sentences if s not in commitments]
        breakthroughs = _matching(rest, _BREAKTHROUGH)
        wins = _dedupe(breakthroughs + _matching(rest, _WIN))
        challenges = _matching([s for s in rest if s not in wins], _CHALLENGE)
        summary = ClientSummary(
            wins=[_item(s) for s in wins[:MAX_ITEMS]],
            challenges=[_item(s) for s in challenges[:MAX_ITEMS]],
            action_items=[_action_item(s, client, session_date) for s in commitments[:MAX_ITEMS]],
            coach_recommendations=[
                _item(s) for s in _recommendations(transcript, client, coach)[:MAX_ITEMS]
            ],
        )
        engagement = engagement_level(client, speakers)
        starts = {turn.index: turn.start for turn in transcript.turns}
        mine = [t for t in transcript.turns if t.speaker == client]
        score, reasons = priority(
            engagement,
            summary,
            bool(breakthroughs),
            falling_sentiment=is_falling(mine),
            sensitive=any(categories_of(t.text) for t in mine),
        )
        return ClientAnalysis(
            engagement_level=engagement,
            breakthrough_detected=bool(breakthroughs),
            breakthroughs=[
                Moment(turn=s.turn, start=starts.get(s.turn), quote=_item(s).text)
                for s in breakthroughs
            ],
            priority_score=score,
            priority_reasons=reasons,
            summary=summary,
        )

    def summarize_session(
        self, transcript: Transcript, coach: str | None, speakers: list[SpeakerStats]
    ) -> str:
        # Imported here: its keyword tables load only when an overview is written.
        from coaching.analysis.session_summary import summarize_meeting

        return summarize_meeting(transcript, coach)


def engagement_level(client: str, speakers: list[SpeakerStats]) -> EngagementLevel:
    named = [s for s in speakers if s.name != UNKNOWN_SPEAKER]
    mine = next((s for s in named if s.name == client), None)
    if mine is None or mine.word_count == 0:
        return "silent"
    named_share = sum(s.speaking_share for s in named) or 1.0
    ratio = (mine.speaking_share / named_share) * len(named)
    if ratio >= 0.8:
        return "high"
    return "medium" if ratio >= 0.4 else "low"


def priority_factors(
    engagement: EngagementLevel,
    summary: ClientSummary,
    breakthrough: bool,
    falling_sentiment: bool = False,
    sensitive: bool = False,
) -> list[tuple[float, PriorityReason]]:
    """What raises a client's follow-up priority, each with its weight and its reason."""
    committed = bool(summary.action_items)
    factors: list[tuple[float, PriorityCode, str]] = []
    if any(_STUCK.search(item.text) for item in summary.challenges):
        factors.append((0.40, "stuck", "said they feel stuck or overwhelmed"))
    if _ENGAGEMENT_GAP[engagement]:
        gap = 0.25 * _ENGAGEMENT_GAP[engagement]
        factors.append((gap, "quiet", f"{engagement} engagement"))
    if summary.challenges and not committed:
        factors.append(
            (0.20, "challenges_without_action", "raised challenges without committing to an action")
        )
    if falling_sentiment:
        factors.append((FALLING_SENTIMENT_WEIGHT, "falling_sentiment", FALLING_SENTIMENT_REASON))
    if not committed:
        factors.append((0.15, "no_action", "no action item agreed"))
    if sensitive:
        factors.append((0.10, "sensitive_topic", "mentioned a sensitive topic"))
    if not summary.wins and not breakthrough:
        factors.append((0.10, "no_win", "no win or breakthrough"))
    return [(weight, PriorityReason(code=code, label=label)) for weight, code, label in factors]


FALLING_SENTIMENT_WEIGHT = 0.15
FALLING_SENTIMENT_REASON = "sounded less positive as the session went on"


def priority(
    engagement: EngagementLevel,
    summary: ClientSummary,
    breakthrough: bool,
    *,
    falling_sentiment: bool = False,
    sensitive: bool = False,
) -> tuple[float, list[PriorityReason]]:
    """The follow-up priority (0..1) and its reasons, weightiest first."""
    factors = priority_factors(engagement, summary, breakthrough, falling_sentiment, sensitive)
    score = round(min(max(sum(weight for weight, _ in factors), 0.0), 1.0), 2)
    ranked = sorted(factors, key=lambda factor: -factor[0])  # stable: ties keep their order
    return score, [reason for _, reason in ranked]


def priority_score(
    engagement: EngagementLevel,
    summary: ClientSummary,
    breakthrough: bool,
    falling_sentiment: bool = False,
    sensitive: bool = False,
) -> float:
    return priority(
        engagement, summary, breakthrough, falling_sentiment=falling_sentiment, sensitive=sensitive
    )[0]


def stored_priority_reasons(
    engagement: EngagementLevel, summary: ClientSummary, breakthrough: bool, score: float
) -> list[PriorityReason]:
    """The reasons behind a score stored without them (analysed before reasons were kept).
    Falling sentiment and a sensitive topic are read from the score, as what the reasons
    found in the summary leave unexplained."""
    explained, reasons = priority(engagement, summary, breakthrough)
    extra = score - explained
    if extra >= FALLING_SENTIMENT_WEIGHT - 0.015:
        reasons.append(PriorityReason(code="falling_sentiment", label=FALLING_SENTIMENT_REASON))
    return reasons


def priority_reasons(
    engagement: EngagementLevel, summary: ClientSummary, breakthrough: bool, score: float
) -> list[str]:
    """The labels of ``stored_priority_reasons``."""
    return [r.label for r in stored_priority_reasons(engagement, summary, breakthrough, score)]


def _matching(sentences: list[Sentence], lexicon: Lexicon) -> list[Sentence]:
    return [s for s in sentences if lexicon.search(s.text)]


def _dedupe(sentences: list[Sentence]) -> list[Sentence]:
    return list(dict.fromkeys(sentences))


def _item(sentence: Sentence) -> Item:
    text = (
        sentence.text
        if len(sentence.text) <= MAX_ITEM_CHARS
        else (sentence.text[: MAX_ITEM_CHARS - 1].rsplit(" ", 1)[0] + "…")
    )
    return Item(text=text, evidence=[sentence.turn])


def _recommendations(transcript: Transcript, client: str, coach: str | None) -> list[Sentence]:
    """Coach advice meant for this client: naming them, or answering them without naming
    anyone else."""
    if not coach:
        return []
    others = {
        _first_name(name)
        for name in transcript.speakers
        if name not in (client, coach, UNKNOWN_SPEAKER)
    } - {_first_name(client)}
    found: list[Sentence] = []
    turns = transcript.turns
    for position, turn in enumerate(turns):
        if turn.speaker != coach:
            continue
        mentioned = _mentioned(turn.text, others | {_first_name(client)})
        answering = any(t.speaker == client for t in turns[max(0, position - 2) : position])
        if _first_name(client) in mentioned or (answering and not mentioned):
            found.extend(s for s in sentences_of([turn]) if _ADVICE.search(s.text))
    return _dedupe(found)


def _first_name(name: str) -> str:
    parts = name.split()
    return parts[0].casefold() if parts else name.casefold()


def _mentioned(text: str, first_names: set[str]) -> set[str]:
    return {n for n in first_names if len(n) > 1} & _words(text)


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """The words of a turn, cached: every client's analysis looks at the coach's turns."""
    return frozenset(re.findall(r"[\w'-]+", text.casefold()))


def _action_item(sentence: Sentence, client: str, session_date: dt.date | None) -> ActionItem:
    due = resolve_due(sentence.text, session_date)
    return ActionItem(
        **_item(sentence).model_dump(),
        owner=client,
        due=due.date.isoformat() if due and due.date else None,
        due_phrase=due.phrase if due else None,
    )
