"""Coach supervision metrics: how the coach coached, per session (and, stored, over time).

A coach's turn often makes several moves ("That's a real shift. You could try blocking two
mornings... What would help?" reflects, advises, then asks), so the moves are counted per
sentence: a one-sentence turn keeps its turn label; each sentence of a longer turn is labelled
by the same behaviour model, in the context of the turn before it, then checked by two rules
(a sentence ending in "?" asks; one that advises in so many words gives input). A leading
name ("Jordan, how did it go?") does not make an open question closed.

* coach_talk_ratio: the coach's share of speaking time (coaching guidance: well under half).
* questions / question_rate: the coach's question sentences, and per coach turn.
* open_questions vs closed_questions: open ones invite elaboration ("what…", "how…",
  "tell me…"); closed ones ask for yes/no ("do you…", "is it…") or a fact.
* reflections: coach sentences labelled reflection.
* reflection_to_question: reflections per question (motivational interviewing aims at >= 1).
* advice_giving: coach sentences labelled input that advise ("you should", "try", "I suggest").
* coach_sentences, inputs: the sentences labelled, and those giving input (advice or
  information).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from coaching.analysis.sentences import sentences_of
from coaching.analysis.talk import classify_coach_utterances, context_turns, following_turns
from coaching.domain.results import Behaviour, SpeakerStats, TurnLabel
from coaching.domain.transcript import Transcript, Turn

_OPEN_START = re.compile(
    r"^(\w+,\s+)?(so,?\s+|and\s+|okay,?\s+|well,?\s+)?(what|how|why|tell me|describe|in what way|"
    r"talk me through|walk me through|help me understand|could you tell|can you tell|"
    r"what's|how's)\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(you should|you need to|you must|you could|you might want|try|i suggest|i'?d suggest|"
    r"i recommend|i'?d recommend|my advice|what you need|have you considered|why don'?t you)\b",
    re.IGNORECASE,
)
# Advice in so many words: input even where the model hears a reflection ("you could try...").
_PLAIN_ADVICE = re.compile(
    r"\b(you should|you could try|you might try|i suggest|i'?d suggest|i recommend|"
    r"i'?d recommend|my advice|why don'?t you)\b",
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
    # Added with sentence-level moves (issue 16); sessions stored before read as 0.
    coach_sentences: int = 0
    inputs: int = 0


def is_open_question(sentence: str) -> bool:
    return bool(_OPEN_START.search(sentence.strip()))


def is_advice(sentence: str) -> bool:
    return bool(_ADVICE.search(sentence))


def coach_moves(
    transcript: Transcript, coach_turns: list[Turn], labels: list[TurnLabel]
) -> list[tuple[str, Behaviour]]:
    """Each sentence of the coach's turns with what it does, in order."""
    behaviour = {label.index: label.behaviour for label in labels}
    indexes = [t.index for t in transcript.turns]
    before = dict(zip(indexes, context_turns(transcript), strict=True))
    after = dict(zip(indexes, following_turns(transcript), strict=True))
    sentences = sentences_of(coach_turns)
    per_turn: dict[int, int] = {}
    for sentence in sentences:
        per_turn[sentence.turn] = per_turn.get(sentence.turn, 0) + 1
    # Sentences of longer turns (and of unlabelled ones) go through the model in one batch.
    to_classify = [
        i for i, s in enumerate(sentences) if per_turn[s.turn] > 1 or behaviour.get(s.turn) is None
    ]
    predicted = classify_coach_utterances(
        [sentences[i].text for i in to_classify],
        [before.get(sentences[i].turn) for i in to_classify],
        [after.get(sentences[i].turn) for i in to_classify],
    )
    labelled: dict[int, Behaviour] = dict(zip(to_classify, predicted, strict=True))
    moves: list[tuple[str, Behaviour]] = []
    for i, sentence in enumerate(sentences):
        label = labelled.get(i) or behaviour.get(sentence.turn) or "other"
        if i in labelled:
            if sentence.text.rstrip().endswith("?"):
                label = "question"
            elif _PLAIN_ADVICE.search(sentence.text) or (
                label == "other" and is_advice(sentence.text)
            ):
                label = "input"
        moves.append((sentence.text, label))
    return moves


def supervision_metrics(
    transcript: Transcript,
    coach: str | None,
    speakers: list[SpeakerStats],
    labels: list[TurnLabel],
) -> SupervisionMetrics:
    coach_turns = [t for t in transcript.turns if coach and t.speaker == coach]
    moves = coach_moves(transcript, coach_turns, labels) if coach_turns else []
    questions = [text for text, _ in moves if text.rstrip().endswith("?")]
    open_count = sum(is_open_question(q) for q in questions)
    reflections = sum(label == "reflection" for _, label in moves)
    inputs = [text for text, label in moves if label == "input"]
    advice = sum(is_advice(text) for text in inputs)
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
        coach_sentences=len(moves),
        inputs=len(inputs),
    )
