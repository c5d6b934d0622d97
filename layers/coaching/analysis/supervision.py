"""Coach supervision metrics: how the coach coached, per session (and, stored, over time).

* coach_talk_ratio: the coach's share of speaking time (coaching guidance: well under half).
* questions / question_rate: the coach's question sentences, and per coach turn.
* open_questions vs closed_questions: open ones invite elaboration ("what…", "how…",
  "tell me…"); closed ones ask for yes/no ("do you…", "is it…") or a fact.
* reflections: coach turns the behaviour classifier labels reflection.
* reflection_to_question: reflections per question (motivational interviewing aims at >= 1).
* advice_giving: coach turns labelled input that advise ("you should", "try", "I suggest").
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from coaching.analysis.sentences import sentences_of
from coaching.domain.results import SpeakerStats, TurnLabel
from coaching.domain.transcript import Transcript

_OPEN_START = re.compile(
    r"^(so,?\s+|and\s+|okay,?\s+|well,?\s+)?(what|how|why|tell me|describe|in what way|"
    r"talk me through|walk me through|help me understand|could you tell|can you tell|"
    r"what's|how's)\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(you should|you need to|you must|you could|you might want|try|i suggest|i'?d suggest|"
    r"i recommend|i'?d recommend|my advice|what you need|have you considered|why don'?t you)\b",
    re.IGNORECASE,
)


class SupervisionMetrics(BaseModel):
    coach: str | None
    coach_talk_ratio: float
    coach_turns: int
    questions: int
    question_rate: float
    open_questions: int
    closed_questions: int
    reflections: int
    reflection_to_question: float | None
    advice_giving: int


def is_open_question(sentence: str) -> bool:
    return bool(_OPEN_START.search(sentence.strip()))


def supervision_metrics(
    transcript: Transcript,
    coach: str | None,
    speakers: list[SpeakerStats],
    labels: list[TurnLabel],
) -> SupervisionMetrics:
    coach_turns = [t for t in transcript.turns if coach and t.speaker == coach]
    behaviour = {label.index: label.behaviour for label in labels}
    questions = [s.text for s in sentences_of(coach_turns) if s.text.rstrip().endswith("?")]
    open_count = sum(is_open_question(q) for q in questions)
    reflections = sum(behaviour.get(t.index) == "reflection" for t in coach_turns)
    advice = sum(
        behaviour.get(t.index) == "input" and bool(_ADVICE.search(t.text)) for t in coach_turns
    )
    share = next((s.speaking_share for s in speakers if s.name == coach), 0.0)
    return SupervisionMetrics(
        coach=coach,
        coach_talk_ratio=round(share, 4),
        coach_turns=len(coach_turns),
        questions=len(questions),
        question_rate=round(len(questions) / len(coach_turns), 4) if coach_turns else 0.0,
        open_questions=open_count,
        closed_questions=len(questions) - open_count,
        reflections=reflections,
        reflection_to_question=round(reflections / len(questions), 4) if questions else None,
        advice_giving=advice,
    )
