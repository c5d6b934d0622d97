"""Is a client's mood falling over the session? VADER's lexicon scores each turn (-1..1).

Falling means the mean of the client's last third of turns is at least 0.25 below the mean
of their first third (with at least three turns: one remark is not a trend).
"""

from __future__ import annotations

from functools import cache

from coaching.domain.transcript import Turn

FALL_THRESHOLD = 0.25


@cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def turn_sentiment(text: str) -> float:
    return _analyzer().polarity_scores(text)["compound"]


def sentiment_trend(turns: list[Turn]) -> float:
    """Last third minus first third of the turns' mean sentiment (0 when too few turns)."""
    if len(turns) < 3:
        return 0.0
    third = max(len(turns) // 3, 1)
    # Only the first and last thirds are scored: VADER is most of a client's analysis time.
    first = sum(turn_sentiment(turn.text) for turn in turns[:third])
    last = sum(turn_sentiment(turn.text) for turn in turns[-third:])
    return last / third - first / third


def is_falling(turns: list[Turn]) -> bool:
    return sentiment_trend(turns) <= -FALL_THRESHOLD
