"""Issue 16: the variants real exports come in, each read right; files that are not
transcripts still refused as before. Fixtures are synthetic, in tests/fixtures/transcripts/,
written in the shape each tool's export has (see the module docstring of each parser)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import UNKNOWN_SPEAKER
from coaching.parsing import SUPPORTED_FORMATS, parse_transcript

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _rejection(data: bytes, filename: str) -> TranscriptRejected:
    with pytest.raises(TranscriptRejected) as caught:
        parse_transcript(data, filename)
    assert caught.value.hint.strip()
    return caught.value


def _docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


VARIANTS = [
    # (fixture, format, speakers, turns, first starts)
    ("fireflies_app.json", "fireflies_json", ["Rosa Klein", "Dev Anand"], 6, [0.52, 4.1]),
    ("transcribe_channels.json", "aws_transcribe_json", ["Channel 1", "Channel 2"], 4, [0.5, 2.5]),
    ("rev.txt", "plain", ["Lena Ford", "Omar Haddad"], 6, [0.0, 6.0]),
    ("descript.txt", "plain", ["Speaker 1", "Speaker 2"], 4, [0.0, 5.0]),
    ("otter_no_times.txt", "otter_txt", ["Mira Okafor", "Tom Vesely"], 4, [None, None]),
    ("teams_meeting.vtt", "vtt", ["Kai Lindqvist", "Aiko Tanaka"], 3, [2.12, 6.01]),
    ("meet.docx", "meet_txt", ["Ada Brennan", "Jonas Feld"], 10, [0.0, None]),
    ("rev.docx", "plain", ["Lena Ford", "Omar Haddad"], 6, [0.0, 6.0]),
]


@pytest.mark.parametrize(
    ("fixture", "expected_format", "speakers", "turns", "starts"),
    VARIANTS,
    ids=[case[0] for case in VARIANTS],
)
def test_each_export_variant_is_detected_with_its_speakers_turns_and_times(
    fixture, expected_format, speakers, turns, starts
):
    # Given an export in one of the shapes its tool writes
    data = _fixture(fixture)

    # When it is parsed without a hint, under its own name and under a name saying nothing
    for filename in (fixture, "upload"):
        transcript = parse_transcript(data, filename)

        # Then its layout is recognised and every turn read, with its speaker and start
        assert transcript.format == expected_format
        assert transcript.speakers == speakers
        assert len(transcript.turns) == turns
        assert [turn.start for turn in transcript.turns[:2]] == starts
        assert all(turn.text.strip() for turn in transcript.turns)


# --- Fireflies: the app's download ---------------------------------------------------------


def test_fireflies_app_download_gives_a_turn_per_sentence_with_its_times():
    # When the bare list of sentences the Fireflies app downloads is parsed
    turns = parse_transcript(_fixture("fireflies_app.json"), "fireflies_app.json").turns

    # Then each 'sentence' is a turn, timed by startTime and endTime
    assert (turns[0].speaker, turns[0].start, turns[0].end) == ("Rosa Klein", 0.52, 3.9)
    assert turns[3].text == "I finally had the conversation about my workload."
    assert (turns[-1].start, turns[-1].end) == (16.5, 21.75)


def test_fireflies_app_times_written_as_clocks_or_strings_are_read():
    # Given app sentences timed '01:05', '1:02:03' and '7.5'
    sentences = [
        {"sentence": "Hi.", "startTime": "01:05", "endTime": "1:02:03", "speaker_name": "A"},
        {"sentence": "Yes.", "startTime": "7.5", "endTime": 9, "speaker_name": "B"},
    ]

    # When they are parsed
    turns = parse_transcript(json.dumps(sentences).encode(), "ff.json").turns

    # Then every time is in seconds
    assert [(t.start, t.end) for t in turns] == [(65.0, 3723.0), (7.5, 9.0)]


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        (
            [{"sentence": "a", "speaker_name": "A"}, {"sentence": 3, "speaker_name": "B"}],
            "ff.json: sentence 2 has an invalid sentence.",
        ),
        (
            [{"sentence": "a", "speaker_name": "A", "startTime": "1:75"}],
            "ff.json: sentence 1 has an invalid startTime.",
        ),
        (
            [{"sentence": "a", "speaker_name": "A", "endTime": -4}],
            "ff.json: sentence 1 has an invalid endTime.",
        ),
        ([{"sentence": "a", "speaker_name": "A"}, "b"], "ff.json: sentence 2 is not an object."),
        ([{"sentence": " ", "speaker_id": 1}], "ff.json has no sentences with text."),
    ],
)
def test_fireflies_app_download_with_bad_values_is_refused_naming_the_sentence(sentences, expected):
    # When an app download has a bad value
    rejection = _rejection(json.dumps(sentences).encode(), "ff.json")

    # Then the sentence and the field are named, never the value
    assert rejection.message == expected


@pytest.mark.parametrize(
    "document",
    [
        [{"text": "a note without a speaker"}],
        [{"speaker_name": "A", "title": "no words"}],
        [{"name": "Ann", "email": "ann@example.com"}],
        [],
        ["Ann: hi"],
    ],
)
def test_other_json_lists_are_still_refused_as_not_a_transcript(document):
    # When a JSON list that is not a list of sentences is parsed
    rejection = _rejection(json.dumps(document).encode(), "list.json")

    # Then it is refused as before, naming the supported formats
    assert "neither a Fireflies nor an Amazon Transcribe transcript" in rejection.message
    assert all(name in rejection.message for name in SUPPORTED_FORMATS)


# --- Amazon Transcribe: channel identification ---------------------------------------------


def test_transcribe_channels_are_merged_in_time_order_with_their_punctuation():
    # When output of a job with channel identification (words only per channel) is parsed
    turns = parse_transcript(_fixture("transcribe_channels.json"), "job.json").turns

    # Then the channels' words interleave by time, each channel a speaker
    assert [(t.speaker, t.text) for t in turns] == [
        ("Channel 1", "How was your week?"),
        ("Channel 2", "Busy but good."),
        ("Channel 1", "What helped?"),
        ("Channel 2", "Blocking mornings."),
    ]
    assert (turns[1].start, turns[1].end) == (2.5, 3.4)


def test_transcribe_items_with_only_a_channel_label_take_the_channel_as_speaker():
    # Given words that carry a channel label and no speaker label
    items = [
        {"channel_label": "ch_0", "start_time": "0.1", "end_time": "0.3", "type": "pronunciation",
         "alternatives": [{"content": "Hi"}]},
        {"channel_label": "ch_1", "start_time": "0.5", "end_time": "0.7", "type": "pronunciation",
         "alternatives": [{"content": "Hello"}]},
    ]  # fmt: skip
    data = json.dumps({"results": {"items": items}}).encode()

    # When it is parsed
    turns = parse_transcript(data, "job.json").turns

    # Then each channel is a speaker, not one unknown voice
    assert [(t.speaker, t.text) for t in turns] == [("Channel 1", "Hi"), ("Channel 2", "Hello")]


def test_transcribe_channels_that_are_not_a_list_are_refused():
    # When the channels are not a list
    data = json.dumps({"results": {"channel_labels": {"channels": {"ch_0": []}}}}).encode()

    # Then the place is named
    assert _rejection(data, "job.json").message == (
        "job.json: its results' channels are not a list."
    )


def _analytics_turn(role: str, content: object, begin: object, end: object) -> dict:
    return {
        "ParticipantRole": role,
        "Content": content,
        "BeginOffsetMillis": begin,
        "EndOffsetMillis": end,
        "Sentiment": "NEUTRAL",
        "LoudnessScores": [70.1],
    }


def test_transcribe_call_analytics_turns_are_read_with_their_roles_and_times():
    # Given a Call Analytics job's output: turns with a role and millisecond offsets
    document = {
        "JobStatus": "COMPLETED",
        "Transcript": [
            _analytics_turn("AGENT", "Welcome back. How did the week go?", 120, 2900),
            _analytics_turn("CUSTOMER", "Better than last time.", 3100, 4800),
        ],
        "ConversationCharacteristics": {"TotalConversationDurationMillis": 5000},
    }

    # When it is parsed without a hint
    transcript = parse_transcript(json.dumps(document).encode(), "analytics.json")

    # Then each turn keeps its role as the speaker and its times in seconds
    assert transcript.format == "aws_transcribe_json"
    assert [(t.speaker, t.start, t.end, t.text) for t in transcript.turns] == [
        ("Agent", 0.12, 2.9, "Welcome back. How did the week go?"),
        ("Customer", 3.1, 4.8, "Better than last time."),
    ]


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (
            [_analytics_turn("AGENT", "Hi.", 0, 10), _analytics_turn("CUSTOMER", "Yo", "x", 9)],
            "job.json: turn 2 has an invalid BeginOffsetMillis.",
        ),
        ([_analytics_turn("AGENT", 7, 0, 10)], "job.json: turn 1 has an invalid Content."),
        ([_analytics_turn("AGENT", " ", 0, 10)], "job.json is an Amazon Transcribe result "
         "without any words."),
    ],
)  # fmt: skip
def test_transcribe_call_analytics_with_bad_values_is_refused_naming_the_turn(turns, expected):
    # When a Call Analytics output has a bad value
    rejection = _rejection(json.dumps({"Transcript": turns}).encode(), "job.json")

    # Then the turn and field are named
    assert rejection.message == expected


# --- Rev / Descript: 'Name (00:00):' headers -----------------------------------------------


def test_rev_headers_give_the_speaker_and_start_and_the_words_below():
    # When Rev's 'Name (mm:ss):' export is parsed
    turns = parse_transcript(_fixture("rev.txt"), "rev.txt").turns

    # Then the time leaves the name, and the lines below are the turn's words
    assert (turns[1].speaker, turns[1].start, turns[1].end) == ("Omar Haddad", 6.0, 19.0)
    assert turns[1].text == "With the handover. It still sits with me and I keep putting it off."
    assert turns[4].start == 3730.0  # h:mm:ss past the hour


def test_rev_header_with_an_impossible_time_names_the_line():
    # When a header's time cannot exist
    rejection = _rejection(b"Ann (00:10):\nHello.\n\nBo (00:75):\nHi.\n", "rev.txt")

    # Then the line is named
    assert rejection.message == "rev.txt: line 4 has an invalid timestamp '00:75'."


def test_a_time_in_brackets_inside_speech_is_not_a_header():
    # Given a turn whose words mention a time, and a line that is a sentence before one
    text = b"Ann: We met at noon\nand again (10:30) after lunch\nWe stopped. Back at (11:00):\n"

    # When it is parsed
    turns = parse_transcript(text, "notes.txt").turns

    # Then the lines stay in Ann's turn
    assert [(t.speaker, t.start) for t in turns] == [("Ann", None)]
    assert turns[0].text.endswith("We stopped. Back at (11:00):")


def test_captioners_speaker_change_marker_is_not_part_of_the_name():
    # Given Zoom's saved captions from a captioner: '>>' before each new speaker's name
    text = b"10:02:09 >> ANN LEE: Hello everyone.\n10:02:15 >> BO CHEN: Hi.\n"

    # When they are parsed
    turns = parse_transcript(text, "captions.txt").turns

    # Then the names are the names
    assert [(t.speaker, t.start, t.text) for t in turns] == [
        ("ANN LEE", 36129.0, "Hello everyone."),
        ("BO CHEN", 36135.0, "Hi."),
    ]


# --- Otter without timestamps --------------------------------------------------------------


def test_otter_without_timestamps_gives_a_turn_per_named_paragraph_without_the_footer():
    # When Otter's export without timestamps is parsed
    turns = parse_transcript(_fixture("otter_no_times.txt"), "otter.txt").turns

    # Then each paragraph is its named speaker's turn, and the footer is not speech
    assert turns[1].text == (
        "Honestly a bit hectic. The team reshuffle landed on Monday "
        "and I have been firefighting since."
    )
    assert all("otter.ai" not in turn.text for turn in turns)


def test_otter_without_speaker_names_is_refused_saying_the_names_are_missing():
    # When Otter's export with timestamps but without speaker names is parsed
    rejection = _rejection(b"0:03\nHello there.\n\n0:09\nHi, good to see you.\n", "o.txt")

    # Then the refusal says what is missing and how to get it
    assert rejection.message == (
        "o.txt has timestamps but no speaker names, so participants cannot be told apart."
    )
    assert "speaker names" in rejection.hint


@pytest.mark.parametrize(
    "text",
    [
        # prose under headings: no name heads two paragraphs
        "Introduction\nThis report covers the year.\n\nMethods\nWe asked people.\n\n"
        "Results\nThey answered.\n",
        # a heading repeated, but most paragraphs unnamed
        "Summary\nA first point.\n\nSummary\nA second point.\n\nSummary\nA third.\n\n"
        "and some text\nthat goes on.\n\nmore text\nstill.\n\nyet more\nwords.\n",
    ],
)
def test_prose_with_headings_is_still_not_a_transcript(text):
    # When prose laid out in headed paragraphs is parsed
    rejection = _rejection(text.encode(), "report.txt")

    # Then it is refused as before: nobody is speaking in it
    assert rejection.message == "report.txt has no speaker turns."


# --- Word documents of other tools ---------------------------------------------------------


def test_meet_transcript_downloaded_as_word_reads_like_its_text_export():
    # Given Google Meet's transcript as .txt and as .docx
    as_text = parse_transcript(_fixture("meet.txt"), "meet.txt")

    # When the Word document is parsed
    as_word = parse_transcript(_fixture("meet.docx"), "meet.docx")

    # Then it gives the same turns, without the title and attendee list
    assert [(t.speaker, t.start, t.text) for t in as_word.turns] == [
        (t.speaker, t.start, t.text) for t in as_text.turns
    ]


def test_a_word_document_of_name_text_lines_leaves_out_its_title_and_date():
    # Given a Word document with a title, a date, then 'Name: text' paragraphs
    data = _docx("Coaching call", "March 3, 2025", "Ann: How are you?", "Bo: Well, thanks.")

    # When it is parsed
    transcript = parse_transcript(data, "call.docx")

    # Then the title and date are not anyone's words
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Ann", "How are you?"),
        ("Bo", "Well, thanks."),
    ]


def test_a_turn_ending_in_a_time_is_not_taken_for_a_teams_or_otter_header():
    # Given 'Name: text' turns, one of them ending in a time, as .docx and as .txt
    lines = ("Ann Lee: Shall we meet at  10:30", "Bo Chen: Yes, fine.")
    expected = [("Ann Lee", "Shall we meet at  10:30"), ("Bo Chen", "Yes, fine.")]

    # When each is parsed
    as_word = parse_transcript(_docx("Coaching call", *lines), "call.docx")
    as_text = parse_transcript("\n".join(lines).encode(), "call.txt")

    # Then both are plain 'Name: text' turns: nobody is called 'Ann Lee: Shall we meet at'
    for transcript in (as_word, as_text):
        assert transcript.format == "plain"
        assert [(t.speaker, t.text) for t in transcript.turns] == expected


def test_a_word_document_of_prose_is_still_refused_as_no_transcript():
    # When a Word document of paragraphs without speakers is parsed
    rejection = _rejection(_docx("Goals", "Work on delegation.", "Sleep more."), "goals.docx")

    # Then the refusal is the one it was
    assert rejection.message == (
        "goals.docx is a Word document but not a Teams transcript: "
        "it has no 'Name 0:03' or timing lines."
    )


# --- Teams WebVTT --------------------------------------------------------------------------


def test_teams_vtt_notes_and_cue_identifiers_are_not_speech():
    # When a Teams meeting .vtt with NOTE blocks and GUID cue identifiers is parsed
    turns = parse_transcript(_fixture("teams_meeting.vtt"), "meeting.vtt").turns

    # Then the voices speak, a multi-line voice span is one turn, and nothing else is read
    assert turns[1].text == (
        "Yes. I tried the weekly review you suggested and it helped more than I expected."
    )
    assert all("NOTE" not in t.text and "/" not in t.text for t in turns)


def test_a_cue_with_two_voices_gives_each_voice_its_own_turn():
    # Given a cue holding two speakers' voice spans, as WebVTT allows
    data = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n"
        b"<v Ann>Hi &amp; bye.</v>\n<v Bo>Hello <b>you</b>.</v>\n"
    )

    # When it is parsed
    turns = parse_transcript(data, "call.vtt").turns

    # Then each voice speaks its own words, within the cue's times
    assert [(t.speaker, t.start, t.end, t.text) for t in turns] == [
        ("Ann", 1.0, 3.0, "Hi & bye."),
        ("Bo", 1.0, 3.0, "Hello you."),
    ]


# --- every variant in every encoding --------------------------------------------------------


@pytest.mark.parametrize("fixture", ["rev.txt", "descript.txt", "otter_no_times.txt"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_text_variants_read_the_same_in_every_encoding(fixture, encoding):
    # Given a text variant saved with Windows line endings in another encoding
    text = _fixture(fixture).decode("utf-8")
    expected = parse_transcript(text.encode("utf-8"), fixture)

    # When it is parsed
    transcript = parse_transcript(text.replace("\n", "\r\n").encode(encoding), fixture)

    # Then it reads the same
    assert transcript.format == expected.format
    assert [(t.speaker, t.start, t.text) for t in transcript.turns] == [
        (t.speaker, t.start, t.text) for t in expected.turns
    ]
    assert UNKNOWN_SPEAKER not in transcript.speakers


# --- properties ------------------------------------------------------------------------------

NAMES = st.sampled_from(("Ann", "Bo Li", "Speaker 1", "Dr. Ada Lovelace", "José Núñez"))
WORDS = st.lists(
    st.sampled_from(("yes", "I will", "send it", "by Friday.", "What now?", "ok,", "(laughs)")),
    min_size=1,
    max_size=6,
).map(" ".join)
TURNS = st.lists(st.tuples(NAMES, WORDS, st.integers(0, 30)), min_size=1, max_size=12)


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@given(turns=TURNS, step=st.integers(1, 900))
def test_any_rev_export_reads_back_its_speakers_starts_and_words(turns, step):
    # Given turns written as Rev writes them, a header then the words, starts increasing
    starts = [i * step for i in range(len(turns))]
    text = "\n\n".join(
        f"{name} ({_clock(start)}):\n{words}"
        for (name, words, _), start in zip(turns, starts, strict=True)
    )

    # When it is parsed
    transcript = parse_transcript(text.encode(), "rev.txt")

    # Then every turn comes back as written
    assert [(t.speaker, t.start, t.text) for t in transcript.turns] == [
        (name, float(start), words) for (name, words, _), start in zip(turns, starts, strict=True)
    ]


@given(turns=TURNS)
def test_any_fireflies_app_download_reads_back_its_sentences(turns):
    # Given sentences as the Fireflies app downloads them
    sentences = [
        {"sentence": words, "startTime": i * 2.5, "endTime": i * 2.5 + gap / 10,
         "speaker_name": name, "speaker_id": hash(name) % 7, "index": i}
        for i, (name, words, gap) in enumerate(turns)
    ]  # fmt: skip

    # When they are parsed
    transcript = parse_transcript(json.dumps(sentences).encode(), "upload")

    # Then each sentence is a turn, in order, with its times
    assert transcript.format == "fireflies_json"
    assert [(t.speaker, t.text, t.start, t.end) for t in transcript.turns] == [
        (s["speaker_name"], s["sentence"], s["startTime"], s["endTime"]) for s in sentences
    ]


@given(turns=TURNS)
def test_any_otter_export_without_timestamps_reads_back_its_named_paragraphs(turns):
    # Given named paragraphs as Otter writes them without timestamps: three at least, two voices
    named = [(("Ann", "Bo Li")[i % 2], words) for i, (_, words, _) in enumerate(turns * 3)]
    text = "\n\n".join(f"{name}\n{words}" for name, words in named) + "\n\nTranscribed by otter.ai"

    # When it is parsed
    transcript = parse_transcript(text.encode(), "upload")

    # Then every paragraph is its speaker's turn, the footer none
    assert transcript.format == "otter_txt"
    assert [(t.speaker, t.text) for t in transcript.turns] == named
