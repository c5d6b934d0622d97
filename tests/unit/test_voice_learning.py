"""The coach's voice: learned from scripted edits of drafts, applied to the next drafts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from coaching.analysis.voice import formality_score, learn, observe, voice_requests
from coaching.analysis.voice_drafting import effective_voice, in_voice, voice_of
from coaching.domain.clients import VoiceProfile
from coaching.domain.review import CoachVoice, SummaryContent, SummaryContext
from coaching.domain.voice import LearnedValue, LearnedVoice, Voice, VoiceObservation
from coaching.usecases.follow_up_rendering import draft_follow_up
from tests.samples import SAMPLE
from tests.voice_sessions import (
    OWN_SENTENCE,
    STOCK_SENTENCE,
    distances,
    scripted_coach,
    summaries_of,
    system_templates,
    word_distance,
)

pytestmark = pytest.mark.unit

CONTENT = SummaryContent.model_validate(
    {
        "wins": [{"text": "Led the retro", "evidence": [1]}, {"text": "Spoke up", "evidence": [2]}],
        "challenges": [
            {"text": "Delegating", "evidence": [3]},
            {"text": "Saying no", "evidence": [4]},
        ],
        "action_items": [
            {"text": "Book a one-to-one", "evidence": [5]},
            {"text": "Write the plan", "evidence": [6]},
        ],
        "coach_recommendations": [
            {"text": "Try the five-minute rule", "evidence": [7]},
            {"text": "Keep a journal", "evidence": [8]},
        ],
    }
)


def _context(voice_profile: dict | None = None) -> SummaryContext:
    return SummaryContext(
        session_date=dt.date(2026, 3, 12),
        session_kind="group",
        coach=CoachVoice(name="Sam Lee", voice_profile=voice_profile or {}),
    )


def _draft(voice_profile: dict | None = None, client: str = "Alex Morgan", **kwargs) -> str:
    subject, source = system_templates()["group"]
    return draft_follow_up(subject, source, CONTENT, _context(voice_profile), client, **kwargs)[1]


def _observed(client: str = "Alex Morgan", client_id: uuid.UUID | None = None):
    draft = _draft(client=client)
    first = client.split()[0]
    return observe(
        draft,
        scripted_coach(draft, first),
        first,
        follow_up_id=uuid.uuid4(),
        client_id=client_id or uuid.uuid4(),
    )


def test_a_sent_email_shows_greeting_closing_phrases_and_formality():
    # Given the draft and the email as the coach sent it
    draft = _draft()
    sent = scripted_coach(draft, "Alex")
    # When
    seen = observe(draft, sent, "Alex", follow_up_id=uuid.uuid4(), client_id=uuid.uuid4())
    # Then
    assert (seen.greeting, seen.sign_off, seen.signature) == ("Hey", "Cheers", "Sam")
    assert seen.removed == (STOCK_SENTENCE,)
    assert seen.added == (OWN_SENTENCE.format(name="{client_first_name}"),)
    assert seen.words < seen.draft_words
    assert seen.formality < formality_score(draft)


def test_list_items_are_never_learned_as_phrases():
    draft = _draft()
    sent = draft.replace("- Led the retro\n", "").replace("- Spoke up", "- Spoke up twice")
    seen = observe(draft, sent, "Alex", follow_up_id=uuid.uuid4(), client_id=uuid.uuid4())
    assert seen.added == () and seen.removed == ()


def test_one_email_teaches_nothing_two_agreeing_do():
    one = learn([_observed()])
    assert one.emails == 1
    assert one.greeting is None and one.length is None and one.phrases_removed == []
    two = learn([_observed("Alex Morgan"), _observed("Priya Nair")])
    assert two.greeting == LearnedValue(value="Hey", emails=2)
    assert two.sign_off == LearnedValue(value="Cheers", emails=2)
    assert two.signature == LearnedValue(value="Sam", emails=2)
    assert two.formality is not None and two.formality.value == "informal"
    assert two.length is not None and two.length.ratio < 0.9
    assert [p.text for p in two.phrases_removed] == [STOCK_SENTENCE]
    assert [p.text for p in two.phrases_added] == [OWN_SENTENCE.format(name="{client_first_name}")]


def test_a_sentence_only_one_client_ever_got_is_not_learned():
    # It may be about them: only a sentence written to two clients is the coach's habit
    client = uuid.uuid4()
    learned = learn([_observed(client_id=client), _observed(client_id=client)])
    assert learned.phrases_added == []
    assert [p.text for p in learned.phrases_removed] == [STOCK_SENTENCE]


def test_a_value_most_emails_do_not_share_is_not_learned():
    def greeting(value: str) -> VoiceObservation:
        return VoiceObservation(uuid.uuid4(), uuid.uuid4(), 100, 100, 0.5, greeting=value)

    learned = learn(
        [greeting("Hey"), greeting("Hey"), greeting("Hi"), greeting("Dear"), greeting("Yo")]
    )
    assert learned.greeting is None
    assert learn([greeting("Hey"), greeting("Hey"), greeting("Hi")]).greeting == LearnedValue(
        value="Hey", emails=2
    )


def test_what_the_coach_set_wins_over_what_was_learned():
    learned = learn([_observed("Alex Morgan"), _observed("Priya Nair")])
    set_by_coach = VoiceProfile(
        greeting="Hello", formality="formal", phrases_to_avoid=[], length_words=300
    )
    voice = effective_voice(set_by_coach, learned)
    assert voice.greeting == "Hello" and voice.sign_off == "Cheers"
    assert voice.formality == "formal"
    assert voice.phrases_to_avoid == ()  # set empty: none, not the learned ones
    assert voice.phrases_to_use == (OWN_SENTENCE.format(name="{client_first_name}"),)
    assert (voice.length_words, voice.length_ratio) == (300, None)


def test_an_empty_voice_leaves_the_draft_as_rendered():
    draft = _draft()
    assert in_voice(draft, Voice(), "Alex") == draft
    assert _draft({"learned": {}}) == _draft() == _draft({"learned": "garbage"})


def test_the_voice_rewrites_prose_never_list_items():
    body = "Hi Alex,\n\nIt is good. I am glad.\n\n- I am not changed\n\nWarm regards,\nSam\n"
    voice = Voice(
        formality="informal",
        phrases_to_avoid=("I am glad.",),
        phrases_to_use=("See you, {client_first_name}!",),
    )
    assert in_voice(body, voice, "Alex") == (
        "Hi Alex,\n\nIt's good.\n\n- I am not changed\n\nSee you, Alex!\n\nWarm regards,\nSam\n"
    )
    formal = in_voice(
        "Hi Alex,\n\nIt's good, isn't it? I'm here.\n", Voice(formality="formal"), "Alex"
    )
    assert formal == "Hi Alex,\n\nIt is good, isn't it? I am here.\n"


def test_the_next_draft_is_written_in_the_learned_voice():
    # Given two emails sent the scripted coach's way
    learned = learn([_observed("Alex Morgan"), _observed("Priya Nair")])
    # When the next client's follow-up is drafted
    draft = _draft({"learned": learned.model_dump(mode="json")}, client="Jordan Reyes")
    # Then
    assert draft.startswith("Hey Jordan,\n")
    assert draft.rstrip().endswith("Cheers,\nSam")
    assert STOCK_SENTENCE not in draft
    assert OWN_SENTENCE.format(name="Jordan") in draft
    assert "I'm always glad" in draft
    # shorter, keeping every action item
    assert len(draft.split()) < len(_draft(client="Jordan Reyes").split())
    assert "Book a one-to-one" in draft and "Write the plan" in draft
    # and the draft learning compares with stays the template's
    assert _draft({"learned": learned.model_dump(mode="json")}, learned=False) == _draft()


def test_a_greeting_the_coach_set_stays_in_the_draft():
    learned = learn([_observed("Alex Morgan"), _observed("Priya Nair")]).model_dump(mode="json")
    draft = _draft({"greeting": "Hello", "learned": learned})
    assert draft.startswith("Hello Alex,\n")
    assert voice_of({"greeting": "Hello", "learned": learned}).sign_off == "Cheers"


def test_the_drafts_come_closer_to_what_the_coach_sends():
    # Given the bundled sample workshop, twice, edited by a coach who always edits alike
    sessions = [summaries_of(SAMPLE)] * 3
    # When each session's drafts are written in the voice learned from the emails before
    figures = distances(sessions)
    # Then the edit distance falls
    assert figures[0] > 20
    assert figures[1] < figures[0] / 4
    assert figures[2] <= figures[1]


def test_word_distance_counts_words_changed():
    assert word_distance("a b c", "a x c d") == 2
    assert word_distance("", "a b") == 2


def test_learned_voice_of_nothing_is_empty():
    assert learn([]) == LearnedVoice()


def test_voice_requests_are_the_grammars_words_less_those_undone():
    revisions = [
        (None, None),  # the AI's draft
        ("refine", "Make it more formal"),
        ("refine", "add win: Priya finally told her manager about the move"),
        ("refine", "shorter"),
        ("undo", "undo"),
        ("edit", None),
        ("refine", "formal."),
    ]
    assert voice_requests(revisions) == ("more formal",)


def test_asking_summaries_to_be_more_formal_makes_the_learned_voice_more_formal():
    plain = [_observed("Alex Morgan"), _observed("Priya Nair")]
    asked = [dataclasses.replace(o, requests=("more formal",)) for o in plain]
    before, after = learn(plain), learn(asked)
    assert before.formality is not None and after.formality is not None
    assert after.formality.score > before.formality.score
    assert [(r.text, r.emails) for r in after.summary_requests] == [("more formal", 2)]


def _subject_seen(drafted: str, sent: str, first: str = "Alex", client=None) -> VoiceObservation:
    draft = _draft()
    return observe(
        draft,
        draft,
        first,
        follow_up_id=uuid.uuid4(),
        client_id=client or uuid.uuid4(),
        subjects=(drafted, sent),
    )


def test_the_subject_line_the_coach_keeps_writing_is_learned_and_drafted():
    # A subject kept as drafted (spacing aside) says nothing; one of their own is seen
    assert _subject_seen("Notes from our session", " Notes from  our session").subject is None
    own = _subject_seen("Notes from our session", "Your next steps, Alex")
    assert own.subject == "Your next steps, {client_first_name}"
    # Sent to two clients, it is learned; to one client twice, it may be about them
    priya = _subject_seen("Notes from our session", "Your next steps, Priya", "Priya")
    learned = learn([own, priya])
    assert learned.subject == LearnedValue(value="Your next steps, {client_first_name}", emails=2)
    client = uuid.uuid4()
    twice = [_subject_seen("Notes", "Your budget, Alex", client=client) for _ in range(2)]
    assert learn(twice).subject is None
    # And the next draft has it, with its client's name
    subject, source = system_templates()["group"]
    profile = {"learned": learned.model_dump(mode="json")}
    drafted = draft_follow_up(subject, source, CONTENT, _context(profile), "Jordan Reyes")[0]
    assert drafted == "Your next steps, Jordan"
    # (what learning compares with is the template's own)
    plain = draft_follow_up(
        subject, source, CONTENT, _context(profile), "Jordan Reyes", learned=False
    )
    assert plain[0] != drafted
