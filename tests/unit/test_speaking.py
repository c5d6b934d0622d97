from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching.analysis.speaking import speaking_stats, timing_source
from coaching.domain.transcript import UNKNOWN_SPEAKER, Transcript, Turn
from tests.unit.transcripts import transcript


def test_speaking_time_comes_from_cue_timings():
    # Given cues of 10 s each, two for Ann and one for Ben
    session = transcript(("Ann", "hello there"), ("Ben", "hi"), ("Ann", "how are you"))
    # When speaking time is measured
    stats = {s.name: s for s in speaking_stats(session, coach="Ann")}
    # Then it is the sum of each speaker's cue durations, shared out of the total
    assert timing_source(session) == "cues"
    assert stats["Ann"].speaking_time_seconds == 20
    assert stats["Ann"].speaking_share == pytest.approx(2 / 3)
    assert stats["Ann"].role == "coach" and stats["Ben"].role == "client"
    assert stats["Ann"].turns == 2 and stats["Ann"].word_count == 5


def test_without_timings_speaking_time_is_estimated_from_words():
    # Given untimed lines: 150 words for Ann, 50 for Ben
    session = transcript(("Ann", "word " * 150), ("Ben", "word " * 50), timed=False)
    stats = {s.name: s for s in speaking_stats(session, coach=None)}
    # Then time is estimated at 150 words per minute and the JSON says so
    assert timing_source(session) == "estimated"
    assert stats["Ann"].speaking_time_seconds == pytest.approx(60)
    assert stats["Ann"].speaking_share == pytest.approx(0.75)


def test_line_stamped_transcripts_count_as_cue_timed_with_the_last_turn_estimated():
    # Given lines with start times only on the last one missing its end
    session = Transcript(
        format="zoom_txt",
        turns=[
            Turn(index=0, speaker="Ann", start=0, end=30, text="a b c"),
            Turn(index=1, speaker="Ben", start=30, end=None, text="word " * 25),
        ],
    )
    stats = {s.name: s for s in speaking_stats(session, coach=None)}
    assert timing_source(session) == "cues"
    assert stats["Ann"].speaking_time_seconds == 30
    assert stats["Ben"].speaking_time_seconds == pytest.approx(10)


def test_unknown_speaker_is_never_a_client():
    session = transcript(("Ann", "hello"), (UNKNOWN_SPEAKER, "mumble"))
    roles = {s.name: s.role for s in speaking_stats(session, coach="Ann")}
    assert roles[UNKNOWN_SPEAKER] == "unknown"


def test_zero_length_cues_fall_back_to_words_for_shares():
    session = transcript(("Ann", "one two three"), ("Ben", "one"), seconds=0.0)
    shares = {s.name: s.speaking_share for s in speaking_stats(session, coach=None)}
    assert shares == {"Ann": pytest.approx(0.75), "Ben": pytest.approx(0.25)}


speaker_names = st.sampled_from(["Ann", "Ben", "Cleo", UNKNOWN_SPEAKER])
lines = st.lists(st.tuples(speaker_names, st.text(max_size=40)), min_size=1, max_size=30)


@given(lines, st.booleans(), st.floats(min_value=0, max_value=30))
def test_shares_always_sum_to_one(rows, timed, seconds):
    stats = speaking_stats(transcript(*rows, timed=timed, seconds=seconds), coach="Ann")
    assert sum(s.speaking_share for s in stats) == pytest.approx(1.0)
    assert [s.name for s in stats] == list(dict.fromkeys(name for name, _ in rows))
