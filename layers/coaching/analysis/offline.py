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

from coaching.analysis.call_talk import RUNNING_THE_CALL
from coaching.analysis.disfluency import says_any
from coaching.analysis.due_dates import Due, resolve_due
from coaching.analysis.hollow_commitments import is_hollow
from coaching.analysis.item_wording import for_coach
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
    r"i keep (forgetting|putting|avoiding)|procrastinat\w*|too much|burn(ed|t)? out|"
    # a recurring struggle: "I keep saying yes", "every time I...", "I never seem to"
    r"i keep \w+ing|i always end up|i never seem to|i can'?t seem to|every time i|"
    r"again and again|over and over|(same|old) (pattern|habit|problem|trap)|keeps happening|"
    r"i find it hard|i still haven'?t|i still can'?t)\b",
)
_COMMITMENT = Lexicon(
    r"\b(i will|i'll|i am going to|i'?m going to|i'?m gonna|i plan to|i commit to|"
    r"my next step|i want to try|i intend to|i promise to|i'll make sure)\b",
)
# Talk about the call itself, not about the client's work or life: "I will move on to my
# other topic", "I'll hand over to Sam", a self-introduction (besides call_talk's list,
# which the group's items are checked against too).
_ABOUT_THE_CALL = Lexicon(
    r"\b(move on|moving on|hand (it )?(over|back) to|pass (it )?(over |back )?to|turn it over|"
    r"introduce myself|my name is|be quick|"
    r"keep (it|this) (short|brief)|say (a few words|something)|go (first|next)|"
    r"jump in|wrap (it |this )?up|leave it there|stop there|be brief|take (a|any) questions|"
    r"give (you )?(a|an) (quick |brief )?(update|overview|intro|introduction)|"
    r"(my|the) (other|next|last) (topic|point|item|question)|i'?ll be (quick|brief)|"
    r"mute|unmute|can you (see|hear)|i'?ll repeat|(in|to|into) the chat|slides?|"
    r"(share|show|present|post) (with (you|us|everyone|the group) )?(a|the|my|this|that|some) "
    r"(\w+ )?(screen|slides?|deck|link|"
    r"presentation|poll|chart|graph|diagram|demo)|go over|walk (you|us) through|"
    r"give (you |us )?(a|an|some) (\w+ )?(update|overview|context|background)|"
    r"(talk|speak) to (this|that|it)|i'?ll (just )?(say|add|note|"
    r"mention|explain|summari[sz]e|answer|clarify|comment)\b|record(ing)?\b|stream(ing)?|"
    r"momentarily|give (\w+ )?(the )?(stage|floor|mic)|"
    r"update (you|us|everyone|folks|people) on|speedrun|go through (all )?(of )?(this|these|"
    r"them|it) (very )?quickly)\b",
)
_BREAKTHROUGH = Lexicon(
    r"\b(i reali[sz]e|i just reali[sz]ed|i'?ve reali[sz]ed|now i see|i see now|never thought "
    r"(of|about)|it clicked|that clicked|light ?bulb|aha|i hadn'?t (considered|thought)|"
    r"that changes (everything|things)|makes (so much )?sense now)\b",
)
_ADVICE = Lexicon(
    r"\b(you could|you might|try|trying (?!to\b)|i suggest|i'?d suggest|i recommend|i'?d recommend|"
    r"what if you|consider|it might help|maybe you|how about|one option|my suggestion)\b",
)
# Distress, not difficulty: a challenge weighs less than "I'm stuck" or "I'm overwhelmed".
_STUCK = Lexicon(
    r"\b(stuck|overwhelm\w*|burn(ed|t|ing)? ?out|can'?t cope|cannot cope|drowning|exhausted|"
    r"at my wits'? end|at a loss|hopeless|going (round|around) in circles)\b",
)
# Apologies and time-keeping are not advice: "Sorry, ... just trying to be mindful with time."
_NOT_ADVICE = Lexicon(
    r"\b(sorry|apologi[sz]e|mindful (of|with) (the )?time|in the interest of time|"
    r"(running|run) (out of|short on|over) time|time check|out of time|let'?s move on|"
    r"move on to|next (topic|agenda item|item)|we'?ll come back to)\b",
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
        commitments = [
            s
            for s in _matching(client_sentences, _COMMITMENT)
            if not says_any(_ABOUT_THE_CALL, s.text)
            and not says_any(RUNNING_THE_CALL, s.text)
            and not is_hollow(s.text)
        ]
        rest = [s for s in client_sentences if s not in commitments]
        breakthroughs = _matching(rest, _BREAKTHROUGH)
        wins = _dedupe(breakthroughs + _matching(rest, _WIN))
        challenges = _matching([s for s in rest if s not in wins], _CHALLENGE)
        words = _Wording(transcript, client)
        summary = ClientSummary(
            wins=[words.item(s) for s in wins[:MAX_ITEMS]],
            challenges=[words.item(s) for s in challenges[:MAX_ITEMS]],
            action_items=[words.action_item(s, session_date) for s in commitments[:MAX_ITEMS]],
            coach_recommendations=[
                words.item(s, said_by_owner=False)
                for s in _recommendations(transcript, client, coach)[:MAX_ITEMS]
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
                Moment(turn=s.turn, start=starts.get(s.turn), quote=_shortened(s.text))
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
        from coaching.analysis.session_summary import session_overview

        return session_overview(transcript, coach)


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
    missed: tuple[int, int] | None = None,
) -> list[tuple[float, PriorityReason]]:
    """What raises a client's follow-up priority, each with its weight and its reason.
    ``missed``: of the things they committed to in their last session, how many this one
    says they did not do, and how many there were."""
    committed = bool(summary.action_items)
    factors: list[tuple[float, PriorityCode, str]] = []
    if any(_STUCK.search(item.text) for item in summary.challenges):
        factors.append((0.40, "stuck", "said they feel stuck or overwhelmed"))
    if missed is not None and missed[0] > 0:
        not_done, of = missed
        factors.append((MISSED_WEIGHT * not_done / of, "missed_commitments", missed_label(*missed)))
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
# Every commitment of last time not done weighs as much as raising challenges without
# committing to anything; some of them, their share of it.
MISSED_WEIGHT = 0.30


def missed_label(not_done: int, of: int) -> str:
    if not_done == of == 1:
        return "said they did not do what they committed to last time"
    return f"said they did not do {not_done} of the {of} things they committed to last time"


def priority(
    engagement: EngagementLevel,
    summary: ClientSummary,
    breakthrough: bool,
    *,
    falling_sentiment: bool = False,
    sensitive: bool = False,
    missed: tuple[int, int] | None = None,
) -> tuple[float, list[PriorityReason]]:
    """The follow-up priority (0..1) and its reasons, weightiest first."""
    factors = priority_factors(
        engagement, summary, breakthrough, falling_sentiment, sensitive, missed
    )
    score = round(min(max(sum(weight for weight, _ in factors), 0.0), 1.0), 2)
    ranked = sorted(factors, key=lambda factor: -factor[0])  # stable: ties keep their order
    return score, [reason for _, reason in ranked]


def with_missed_commitments(analysis: ClientAnalysis, missed: tuple[int, int]) -> ClientAnalysis:
    """The analysis with its priority weighed again, the commitments of last time that this
    session says were not done counted in (either analyzer's: both weigh priority here)."""
    codes = {reason.code for reason in analysis.priority_reasons}
    score, reasons = priority(
        analysis.engagement_level,
        analysis.summary,
        analysis.breakthrough_detected,
        falling_sentiment="falling_sentiment" in codes,
        sensitive="sensitive_topic" in codes,
        missed=missed,
    )
    return analysis.model_copy(update={"priority_score": score, "priority_reasons": reasons})


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


def _shortened(text: str) -> str:
    if len(text) <= MAX_ITEM_CHARS:
        return text
    return text[: MAX_ITEM_CHARS - 1].rsplit(" ", 1)[0] + "…"


class _Wording:
    """Items of one client written for the coach (``analysis/item_wording.py``), each
    resolving its pronouns against the sentences said just before it."""

    CONTEXT_TURNS = 2

    def __init__(self, transcript: Transcript, client: str) -> None:
        self._turns = transcript.turns
        self._position = {turn.index: position for position, turn in enumerate(transcript.turns)}
        self._client = client

    def _context(self, sentence: Sentence) -> list[tuple[str, bool]]:
        position = self._position.get(sentence.turn)
        if position is None:
            return []
        said: list[tuple[str, bool]] = []
        for turn in self._turns[max(0, position - self.CONTEXT_TURNS) : position + 1]:
            for earlier in sentences_of([turn]):
                if turn.index == sentence.turn and earlier.text == sentence.text:
                    return said
                said.append((earlier.text, turn.speaker == self._client))
        return said

    def text(
        self,
        sentence: Sentence,
        *,
        said_by_owner: bool = True,
        due: Due | None = None,
        session_date: dt.date | None = None,
    ) -> str:
        return _shortened(
            for_coach(
                sentence.text,
                self._client,
                speaker_is_owner=said_by_owner,
                context=self._context(sentence),
                due_phrase=due.phrase if due else None,
                due=due.date if due else None,
                session_date=session_date,
            )
        )

    def item(self, sentence: Sentence, *, said_by_owner: bool = True) -> Item:
        return Item(text=self.text(sentence, said_by_owner=said_by_owner), evidence=[sentence.turn])

    def action_item(self, sentence: Sentence, session_date: dt.date | None) -> ActionItem:
        due = resolve_due(sentence.text, session_date)
        return ActionItem(
            text=self.text(sentence, due=due, session_date=session_date),
            evidence=[sentence.turn],
            owner=self._client,
            due=due.date.isoformat() if due and due.date else None,
            due_phrase=due.phrase if due else None,
        )


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
            found.extend(s for s in sentences_of([turn]) if _is_advice(s.text))
    return _dedupe(found)


def _is_advice(sentence: str) -> bool:
    """A suggestion: never a question, an apology or a word about the time left."""
    return (
        not sentence.rstrip().endswith("?")
        and _ADVICE.search(sentence)
        and not _NOT_ADVICE.search(sentence)
    )


def _first_name(name: str) -> str:
    parts = name.split()
    return parts[0].casefold() if parts else name.casefold()


def _mentioned(text: str, first_names: set[str]) -> set[str]:
    return {n for n in first_names if len(n) > 1} & _words(text)


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """The words of a turn, cached: every client's analysis looks at the coach's turns."""
    return frozenset(re.findall(r"[\w'-]+", text.casefold()))
