"""build_passages: what a session puts in the search index (the rule: search/passages.py)."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.domain.clients import REMOVED_TEXT, SpeakerClient
from coaching.domain.results import ActionItem, ClientAnalysis, ClientSummary, Item, SpeakerStats
from coaching.domain.search import passage_id
from coaching.domain.session import SessionRecord
from coaching.domain.transcript import Transcript, Turn
from coaching.search.passages import MAX_WORDS, MIN_PIECE_WORDS, build_passages

ORG, SESSION, COACH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
JORDAN = SpeakerClient(uuid.uuid4(), "Jordan Reyes", ("leadership",))
SESSION_RECORD = SessionRecord(
    id=SESSION,
    organization_id=ORG,
    coach_id=COACH,
    source_name="week 3.vtt",
    transcript_key="k",
    content_sha256="0" * 64,
    session_type="individual",
    session_date=dt.date(2026, 3, 2),
    session_summary="Jordan talked about delegation.",
)
SPEAKERS = [
    SpeakerStats(
        name=name, role=role, speaking_time_seconds=1, speaking_share=0.5, turns=1, word_count=1
    )
    for name, role in (("Maya Coach", "coach"), ("Jordan", "client"))
]


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def build(turns, analyses=None, session=SESSION_RECORD):
    transcript = Transcript(format="vtt", turns=turns)
    return build_passages(session, transcript, SPEAKERS, {"Jordan": JORDAN}, analyses or {})


def transcript_passages(passages):
    return [p for p in passages if p.kind == "passage"]


def turn(index, speaker, text, start=None, end=None) -> Turn:
    return Turn(index=index, speaker=speaker, text=text, start=start, end=end)


def test_a_turn_of_some_length_is_a_passage_with_its_session_and_client():
    [passage] = transcript_passages(
        build([turn(0, "Jordan", "I keep struggling with delegation at work lately.", 12.5, 16)])
    )
    assert passage.id == passage_id(SESSION, "passage", 0, 0)
    assert (passage.turn_index, passage.turn_end, passage.start) == (0, 0, 12.5)
    assert (passage.speaker, passage.client_id, passage.client_name) == (
        "Jordan",
        JORDAN.id,
        "Jordan Reyes",
    )
    assert passage.tags == ("leadership",)
    assert (passage.coach_id, passage.session_date, passage.session_type, passage.source) == (
        COACH,
        dt.date(2026, 3, 2),
        "individual",
        "week 3.vtt",
    )


def test_the_coach_and_an_unknown_speaker_are_no_client():
    passages = transcript_passages(
        build(
            [
                turn(0, "Maya Coach", "What would it take to hand the weekly report over?"),
                turn(1, "Unknown speaker", "Sorry, I think the line dropped for a moment there."),
            ]
        )
    )
    assert [(p.speaker, p.client_id, p.client_name) for p in passages] == [
        ("Maya Coach", None, None),
        ("Unknown speaker", None, None),
    ]


def test_short_turns_lead_into_the_next_long_turn_whose_speaker_dominates():
    passages = transcript_passages(
        build(
            [
                turn(0, "Maya Coach", "How did it go?", 1.0),
                turn(
                    1, "Jordan", "Well, I finally handed the weekly report to Sam last week.", 3.0
                ),
            ]
        )
    )
    [passage] = passages
    assert (passage.turn_index, passage.turn_end, passage.start) == (0, 1, 1.0)
    assert passage.speaker == "Jordan" and passage.client_id == JORDAN.id
    assert passage.text == (
        "Maya Coach: How did it go?\n"
        "Jordan: Well, I finally handed the weekly report to Sam last week."
    )


def test_short_turns_at_the_end_join_the_passage_before():
    passages = transcript_passages(
        build(
            [
                turn(0, "Jordan", "I finally handed the weekly report to Sam last week."),
                turn(1, "Maya Coach", "Great."),
                turn(2, "Jordan", "Yeah."),
            ]
        )
    )
    assert [(p.turn_index, p.turn_end) for p in passages] == [(0, 2)]


def test_a_long_run_of_short_turns_is_a_passage_by_itself():
    short = [
        turn(n, "Jordan" if n % 2 else "Maya Coach", "Yes, right, okay then.") for n in range(12)
    ]
    passages = transcript_passages(build([*short, turn(12, "Jordan", words(100))]))
    assert len(passages) == 2
    assert (passages[0].turn_index, passages[0].turn_end) == (0, 9)  # 40 words reached
    assert (passages[1].turn_index, passages[1].turn_end) == (10, 12)


def test_a_long_turn_is_split_at_sentence_ends_with_times_within_the_turn():
    sentence = words(29) + " end."  # 30 words
    text = " ".join([sentence] * 10)  # 300 words
    passages = transcript_passages(build([turn(4, "Jordan", text, 100.0, 400.0)]))
    sizes = [len(p.text.split()) for p in passages]
    assert sum(sizes) == 300
    assert all(MIN_PIECE_WORDS <= size <= MAX_WORDS for size in sizes)
    assert all(p.text.endswith("end.") for p in passages)
    assert [p.id for p in passages] == [
        passage_id(SESSION, "passage", 4, n) for n in range(len(passages))
    ]
    assert all((p.turn_index, p.turn_end) == (4, 4) for p in passages)
    assert passages[0].start == 100.0
    assert passages[1].start == 100.0 + 300 * sizes[0] / 300


def test_a_sentence_that_never_ends_is_cut():
    passages = transcript_passages(build([turn(0, "Jordan", words(300))]))
    assert [len(p.text.split()) for p in passages] == [120, 120, 60]


def test_removed_and_empty_turns_are_not_indexed():
    passages = transcript_passages(
        build(
            [
                turn(0, "Removed client", REMOVED_TEXT),
                turn(1, "Jordan", "   "),
                turn(2, "Jordan", "I finally handed the weekly report to Sam last week."),
            ]
        )
    )
    assert [(p.turn_index, p.turn_end) for p in passages] == [(2, 2)]


def test_summary_items_and_the_overview_are_passages():
    analysis = ClientAnalysis(
        engagement_level="high",
        breakthrough_detected=False,
        priority_score=0.5,
        summary=ClientSummary(
            wins=[Item(text="Handed over the report", evidence=[3, 1])],
            challenges=[Item(text="Saying no", evidence=[2])],
            action_items=[ActionItem(text="Book the 1:1", evidence=[1])],
            coach_recommendations=[
                Item(text="Practise", evidence=[1]),
                Item(text="Read", evidence=[2]),
            ],
        ),
    )
    turns = [turn(n, "Jordan", words(10), float(n * 10)) for n in range(4)]
    items = [p for p in build(turns, {"Jordan": analysis}) if p.kind != "passage"]
    assert [(p.kind, p.item_index, p.turn_index, p.start, p.text) for p in items] == [
        ("win", 0, 1, 10.0, "Handed over the report"),
        ("challenge", 0, 2, 20.0, "Saying no"),
        ("action_item", 0, 1, 10.0, "Book the 1:1"),
        ("recommendation", 0, 1, 10.0, "Practise"),
        ("recommendation", 1, 2, 20.0, "Read"),
        ("overview", None, None, None, "Jordan talked about delegation."),
    ]
    assert all(p.client_id == JORDAN.id for p in items[:-1]) and items[-1].client_id is None
    assert items[0].id == passage_id(SESSION, "win", JORDAN.id, 0)
    assert items[-1].id == passage_id(SESSION, "overview")


def test_a_session_without_a_date_is_filed_under_the_day_it_was_received():
    received = dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC)
    session = SESSION_RECORD.model_copy(update={"session_date": None, "created_at": received})
    [passage, _overview] = build([turn(0, "Jordan", words(10))], session=session)
    assert passage.session_date == dt.date(2026, 5, 6)


speakers = st.sampled_from(["Maya Coach", "Jordan", "Unknown speaker"])
sentences = st.lists(
    st.integers(min_value=1, max_value=70).map(lambda n: words(n) + "."), min_size=1, max_size=6
)
turn_lists = st.lists(st.tuples(speakers, sentences), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(turn_lists)
def test_every_turn_is_in_exactly_one_passage_and_ids_are_stable(raw):
    turns = [turn(n, speaker, " ".join(text)) for n, (speaker, text) in enumerate(raw)]
    passages = transcript_passages(build(turns))
    # Every word of the transcript is indexed once, in order (multi-speaker passages label
    # each speaker's words with their name).
    indexed = " ".join(
        line.split(": ", 1)[-1] for p in passages for line in p.text.split("\n")
    ).split()
    assert indexed == " ".join(t.text for t in turns).split()
    spans = [(p.turn_index, p.turn_end) for p in passages]
    assert all(first <= last for first, last in spans)
    assert all(spans[n][1] <= spans[n + 1][0] for n in range(len(spans) - 1))
    assert all(len(p.text.split()) <= 2 * MAX_WORDS + 2 * MIN_PIECE_WORDS for p in passages)
    assert len({p.id for p in passages}) == len(passages)
    assert [p.id for p in transcript_passages(build(turns))] == [p.id for p in passages]
