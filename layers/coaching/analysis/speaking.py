"""Speaking time, share, turns and words per speaker.

Time comes from cue timings when the source has them (``timing == "cues"``); otherwise it is
estimated from words at a conversational pace of 150 words per minute (``"estimated"``).
"""

from __future__ import annotations

from collections import defaultdict

from coaching.domain.results import Role, SpeakerStats
from coaching.domain.transcript import UNKNOWN_SPEAKER, TimingSource, Transcript, Turn

WORDS_PER_SECOND = 150 / 60


def timing_source(transcript: Transcript) -> TimingSource:
    """Cues when every turn has a start time. Line-stamped formats end a turn where the next
    begins, so only their last turn lacks an end; it is estimated from its words."""
    timed = all(turn.start is not None for turn in transcript.turns)
    return "cues" if transcript.turns and timed else "estimated"


def turn_seconds(turn: Turn, timing: TimingSource) -> float:
    if timing == "cues" and turn.start is not None and turn.end is not None:
        return max(turn.end - turn.start, 0.0)
    return turn.words / WORDS_PER_SECOND


def speaking_stats(transcript: Transcript, coach: str | None) -> list[SpeakerStats]:
    """One entry per speaker in order of first appearance; shares sum to 1."""
    timing = timing_source(transcript)
    seconds: dict[str, float] = defaultdict(float)
    turns: dict[str, int] = defaultdict(int)
    words: dict[str, int] = defaultdict(int)
    for turn in transcript.turns:
        seconds[turn.speaker] += turn_seconds(turn, timing)
        turns[turn.speaker] += 1
        words[turn.speaker] += turn.words
    speakers = transcript.speakers
    # Zero-length cues everywhere would divide by zero: fall back to words, then to turns.
    weights = seconds if sum(seconds.values()) > 0 else words
    if sum(weights.values()) == 0:
        weights = {name: float(turns[name]) for name in speakers}
    total = sum(weights[name] for name in speakers)
    return [
        SpeakerStats(
            name=name,
            role=_role(name, coach),
            speaking_time_seconds=round(seconds[name], 3),
            speaking_share=weights[name] / total,
            turns=turns[name],
            word_count=words[name],
        )
        for name in speakers
    ]


def _role(name: str, coach: str | None) -> Role:
    if name == UNKNOWN_SPEAKER:
        return "unknown"
    return "coach" if name == coach else "client"
