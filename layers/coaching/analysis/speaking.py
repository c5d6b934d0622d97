"""Speaking time, share, turns, words, longest monologue and questions per speaker.

Time comes from cue timings when the source has them (``timing == "cues"``); otherwise it is
estimated from words at a conversational pace of 150 words per minute (``"estimated"``).
A speaker's overlapping cues count once (their union), so a cue repeated or split across
overlapping captions never inflates anyone's time; two people talking at once each get
their own time.
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


def turn_interval(turn: Turn, timing: TimingSource) -> tuple[float, float] | None:
    if timing != "cues" or turn.start is None:
        return None
    end = turn.end if turn.end is not None else turn.start + turn.words / WORDS_PER_SECOND
    return turn.start, max(end, turn.start)


def turn_seconds(turn: Turn, timing: TimingSource) -> float:
    interval = turn_interval(turn, timing)
    if interval is None:
        return turn.words / WORDS_PER_SECOND
    return interval[1] - interval[0]


def _union_length(intervals: list[tuple[float, float]]) -> float:
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def _longest_runs(transcript: Transcript, timing: TimingSource) -> dict[str, float]:
    """Each speaker's longest stretch of consecutive turns, in seconds."""
    longest: dict[str, float] = defaultdict(float)
    run_speaker, run_seconds = None, 0.0
    for turn in transcript.turns:
        seconds = turn_seconds(turn, timing)
        run_seconds = run_seconds + seconds if turn.speaker == run_speaker else seconds
        run_speaker = turn.speaker
        longest[turn.speaker] = max(longest[turn.speaker], run_seconds)
    return longest


def speaking_stats(
    transcript: Transcript, coach: str | None, aliases: dict[str, list[str]] | None = None
) -> list[SpeakerStats]:
    """One entry per speaker in order of first appearance; shares sum to 1."""
    timing = timing_source(transcript)
    intervals: dict[str, list[tuple[float, float]]] = defaultdict(list)
    estimated: dict[str, float] = defaultdict(float)
    turns: dict[str, int] = defaultdict(int)
    words: dict[str, int] = defaultdict(int)
    questions: dict[str, int] = defaultdict(int)
    for turn in transcript.turns:
        interval = turn_interval(turn, timing)
        if interval is None:
            estimated[turn.speaker] += turn.words / WORDS_PER_SECOND
        else:
            intervals[turn.speaker].append(interval)
        turns[turn.speaker] += 1
        words[turn.speaker] += turn.words
        questions[turn.speaker] += turn.text.count("?")
    speakers = transcript.speakers
    seconds = {name: _union_length(intervals[name]) + estimated[name] for name in speakers}
    # Zero-length cues everywhere would divide by zero: fall back to words, then to turns.
    weights: dict[str, float] = seconds
    if sum(weights.values()) <= 0:
        weights = {name: float(words[name]) for name in speakers}
    if sum(weights.values()) <= 0:
        weights = {name: float(turns[name]) for name in speakers}
    total = sum(weights.values())
    longest = _longest_runs(transcript, timing)
    aliases = aliases or {}
    return [
        SpeakerStats(
            name=name,
            role=_role(name, coach),
            speaking_time_seconds=round(seconds[name], 3),
            speaking_share=weights[name] / total,
            turns=turns[name],
            word_count=words[name],
            longest_monologue_seconds=round(longest[name], 3),
            questions_asked=questions[name],
            aliases=sorted(aliases.get(name, [])),
        )
        for name in speakers
    ]


def _role(name: str, coach: str | None) -> Role:
    if name == UNKNOWN_SPEAKER:
        return "unknown"
    return "coach" if name == coach else "client"
