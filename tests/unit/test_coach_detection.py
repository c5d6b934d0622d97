from __future__ import annotations

from coaching.analysis.coach_detection import identify_coach
from coaching.domain.transcript import UNKNOWN_SPEAKER
from tests.unit.transcripts import transcript

WORKSHOP = transcript(
    ("Maya Chen", "Welcome everyone. Let's start. Jordan, how did the week go?"),
    ("Jordan Reyes", "It went well, I delegated the report."),
    ("Maya Chen", "What made that possible?"),
    ("Jordan Reyes", "I trusted Sam more."),
    ("Maya Chen", "Priya, what about you?"),
    ("Priya Nair", "Still stuck with meetings."),
    ("Maya Chen", "So what I'm hearing is that meetings eat your week."),
)


def test_the_facilitator_is_recognised_as_coach():
    guess = identify_coach(WORKSHOP)
    assert guess.name == "Maya Chen"
    assert guess.source == "facilitation"
    assert 0 < guess.confidence <= 1


def test_a_configured_coach_wins_over_behaviour():
    guess = identify_coach(WORKSHOP, configured="Priya Nair")
    assert (guess.name, guess.source, guess.confidence) == ("Priya Nair", "configured", 1.0)


def test_a_configured_first_name_matches_the_full_speaker_name():
    assert identify_coach(WORKSHOP, configured="maya").name == "Maya Chen"


def test_a_configured_name_not_in_the_transcript_falls_back_to_behaviour():
    assert identify_coach(WORKSHOP, configured="Someone Else").name == "Maya Chen"


def test_the_unknown_speaker_is_never_the_coach():
    session = transcript(
        (UNKNOWN_SPEAKER, "How are you? What do you think? Let's go."), ("Ben", "fine")
    )
    assert identify_coach(session).name != UNKNOWN_SPEAKER


def test_nobody_facilitating_means_no_coach():
    guess = identify_coach(transcript(("Ann", "ok"), ("Ben", "sure")))
    assert guess.name is None and guess.source == "none"
