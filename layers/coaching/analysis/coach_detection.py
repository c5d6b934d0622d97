"""Who is the coach? The configured name first, else whoever facilitates.

Facilitation is counted per turn: a question, an invitation or a summary ("what do you…",
"let's…", "so what I'm hearing…"), and addressing another speaker by first name. The
speaker with the highest rate (per turn, weighted by how many turns they took) wins; the
confidence is their lead over the runner-up.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from coaching.domain.transcript import UNKNOWN_SPEAKER, Transcript

_FACILITATION = re.compile(
    r"\b(let'?s|let us|what do you|how do you|how did|what did|what would|tell me|tell us|"
    r"how about|how are you|can you|could you|would you|anyone|who wants|welcome|"
    r"thank you for sharing|thanks for sharing|what i'?m hearing|it sounds like|so you'?re saying|"
    r"to summari[sz]e|in summary|go ahead|next up|over to you|what'?s coming up)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CoachGuess:
    name: str | None
    confidence: float
    source: str  # "configured" | "facilitation" | "none"


def _names_match(configured: str, speaker: str) -> bool:
    a, b = configured.casefold().split(), speaker.casefold().split()
    return bool(a and b) and (a == b or a[0] == b[0] and (len(a) == 1 or len(b) == 1))


def _others_named(speakers: list[str]) -> dict[str, re.Pattern[str]]:
    """Per speaker, one pattern finding any other speaker's first name (over two letters,
    case-folded) as a word: one search a turn rather than one per other speaker."""
    first_names = {s: s.split()[0].casefold() for s in speakers if s.split()}
    patterns: dict[str, re.Pattern[str]] = {}
    for speaker in speakers:
        names = sorted(
            {first for other, first in first_names.items() if other != speaker and len(first) > 2}
        )
        if names:
            patterns[speaker] = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    return patterns


def identify_coach(transcript: Transcript, configured: str | None = None) -> CoachGuess:
    speakers = [s for s in transcript.speakers if s != UNKNOWN_SPEAKER]
    if not speakers:
        return CoachGuess(None, 0.0, "none")
    if configured:
        for speaker in speakers:
            if _names_match(configured, speaker):
                return CoachGuess(speaker, 1.0, "configured")
    others_named = _others_named(speakers)
    score: dict[str, float] = defaultdict(float)
    turns: dict[str, int] = defaultdict(int)
    for turn in transcript.turns:
        if turn.speaker == UNKNOWN_SPEAKER:
            continue
        turns[turn.speaker] += 1
        text = turn.text
        score[turn.speaker] += text.count("?") > 0
        score[turn.speaker] += len(_FACILITATION.findall(text)) > 0
        naming = others_named.get(turn.speaker)
        score[turn.speaker] += naming is not None and naming.search(text.casefold()) is not None
    # Rate times a damped volume: a facilitator both asks often and speaks often.
    ranked = sorted(
        speakers, key=lambda s: (score[s] / max(turns[s], 1)) * turns[s] ** 0.5, reverse=True
    )
    best = ranked[0]
    best_value = (score[best] / max(turns[best], 1)) * turns[best] ** 0.5
    if best_value == 0:
        return CoachGuess(None, 0.0, "none")
    runner = ranked[1] if len(ranked) > 1 else None
    runner_value = (score[runner] / max(turns[runner], 1)) * turns[runner] ** 0.5 if runner else 0
    confidence = 1.0 - runner_value / best_value if best_value else 0.0
    return CoachGuess(best, round(max(confidence, 0.0), 3), "facilitation")
