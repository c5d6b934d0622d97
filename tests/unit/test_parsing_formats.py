"""The export formats of issue #3: each detected on its own, read right, and refused clearly
when damaged. Fixtures are synthetic, in tests/fixtures/transcripts/."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest

from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import UNKNOWN_SPEAKER
from coaching.parsing import MAX_TRANSCRIPT_BYTES, SUPPORTED_FORMATS, parse_transcript, teams_docx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _rejection(data: bytes, filename: str, format_hint: str | None = None) -> TranscriptRejected:
    with pytest.raises(TranscriptRejected) as caught:
        parse_transcript(data, filename, format_hint)
    assert caught.value.hint.strip()
    return caught.value


def _docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- every fixture: detected, speakers, turns ---------------------------------------------

FIXTURE_CASES = [
    ("teams_timing.docx", "teams_docx", ["Iris Novak", "Ben Castillo"], 7),
    ("teams_names.docx", "teams_docx", ["Hana Sato", "Luca Bianchi", "Grace Obi"], 8),
    ("coaching.sbv", "sbv", ["Nora Lind", "Felix Moreau", UNKNOWN_SPEAKER], 7),
    ("otter.txt", "otter_txt", ["Mira Okafor", "Tom Vesely"], 8),
    ("zoom_tab.txt", "zoom_txt", ["Priya Raman", "Sam Ortiz"], 7),
    ("meet.txt", "meet_txt", ["Ada Brennan", "Jonas Feld"], 10),
    ("fireflies.json", "fireflies_json", ["Rosa Klein", "Dev Anand"], 8),
    ("fireflies_graphql.json", "fireflies_json", ["Rosa Klein", "Dev Anand"], 8),
    ("transcribe.json", "aws_transcribe_json", ["Speaker 1", "Speaker 2", "Speaker 3"], 6),
    ("transcribe_audio_segments.json", "aws_transcribe_json", ["Speaker 1", "Speaker 2"], 6),
    ("sample_utf16.txt", "plain", ["Coach", "Client"], 6),
    ("sample_cp1252.txt", "plain", ["Coach", "Client"], 6),
]


@pytest.mark.parametrize(
    ("fixture", "expected_format", "speakers", "turns"),
    FIXTURE_CASES,
    ids=[case[0] for case in FIXTURE_CASES],
)
def test_each_fixture_is_detected_with_its_speakers_and_turns(
    fixture, expected_format, speakers, turns
):
    # Given an export of one of the supported tools
    data = _fixture(fixture)

    # When it is parsed without a format hint
    transcript = parse_transcript(data, fixture)

    # Then its format is recognised and every turn is read
    assert transcript.format == expected_format
    assert transcript.speakers == speakers
    assert len(transcript.turns) == turns
    assert [turn.index for turn in transcript.turns] == list(range(turns))
    assert all(turn.text.strip() for turn in transcript.turns)


@pytest.mark.parametrize(("fixture", "expected_format"), [(c[0], c[1]) for c in FIXTURE_CASES])
def test_detection_does_not_depend_on_the_file_name(fixture, expected_format):
    # When a fixture is uploaded under a name that says nothing
    transcript = parse_transcript(_fixture(fixture), "upload")

    # Then its content still tells the format
    assert transcript.format == expected_format


# --- Teams .docx --------------------------------------------------------------------------


def test_teams_docx_with_timing_lines_gives_cue_timings_and_drops_the_title():
    # When the older Teams layout (timing, speaker, text paragraphs) is parsed
    turns = parse_transcript(_fixture("teams_timing.docx"), "teams_timing.docx").turns

    # Then each cue is a turn with its own start and end, short and long timestamps alike
    first, last = turns[0], turns[-1]
    assert (first.speaker, first.start, first.end) == ("Iris Novak", 1.25, 4.8)
    assert first.text == "Good afternoon, Ben. How are you arriving today?"
    assert (turns[5].start, turns[5].end) == (24.1, 29.9)
    assert (last.speaker, last.start, last.end) == ("Iris Novak", 30.3, 33.0)
    assert all("Weekly coaching" not in turn.text for turn in turns)


def test_teams_docx_with_name_headers_reads_both_paragraph_shapes():
    # When the current Teams layout ('Name   0:03' then text) is parsed
    turns = parse_transcript(_fixture("teams_names.docx"), "teams_names.docx").turns

    # Then the title, date, duration and transcription notes are left out
    assert turns[0].text == "Hello Luca, welcome back."
    assert all("transcription" not in turn.text for turn in turns)
    # and a header with its words in one paragraph or in several reads the same
    assert turns[3].text == "How often I say yes without checking my week. Almost daily."
    assert turns[5].text == "Welcome, Grace. Luca, what could a pause before yes look like?"
    # and m:ss and h:mm:ss are seconds since the start; a turn ends where the next starts
    assert [(t.start, t.end) for t in turns[:2]] == [(2.0, 7.0), (7.0, 15.0)]
    assert (turns[-1].start, turns[-1].end) == (3729.0, None)


def test_teams_docx_invalid_cue_timestamp_names_the_cue():
    # Given a Teams document whose second cue has a letter in its time
    data = _docx("0:0:1.0 --> 0:0:2.0", "Ann", "Hello.", "0:0:3.0 --> 0:0:x.0", "Bo", "Hi.")

    # When it is parsed
    rejection = _rejection(data, "call.docx")

    # Then the cue is named
    assert rejection.message == "call.docx: cue 2 has an invalid timestamp '0:0:x.0'."


def test_teams_docx_header_with_seconds_over_59_names_the_turn():
    # When the second header's time cannot exist
    rejection = _rejection(_docx("Ann  0:03", "Hello.", "Bo  0:75", "Hi."), "call.docx")

    # Then the turn is named
    assert rejection.message == "call.docx: turn 2 has an invalid timestamp '0:75'."


def test_a_word_document_that_is_not_a_transcript_is_refused():
    # When a Word document of prose is parsed
    rejection = _rejection(_docx("Meeting notes", "We discussed goals."), "notes.docx")

    # Then it is called a Word document but not a Teams transcript
    assert rejection.message == (
        "notes.docx is a Word document but not a Teams transcript: "
        "it has no 'Name 0:03' or timing lines."
    )


def test_a_zip_that_is_not_a_word_document_is_refused():
    # When a ZIP archive of other files is parsed
    rejection = _rejection(_zip({"notes.txt": b"Ann: hi\n"}), "export.zip")

    # Then it is named as such
    assert rejection.message == "export.zip is a ZIP archive, not a Word (.docx) document."


def test_a_damaged_docx_is_refused_as_damaged():
    # Given a Teams document cut short
    data = _fixture("teams_names.docx")[:5000]

    # When it is parsed
    rejection = _rejection(data, "teams_names.docx")

    # Then the message says it is damaged
    assert rejection.message == (
        "teams_names.docx is a damaged Word or ZIP file and cannot be opened."
    )


def test_a_docx_with_broken_xml_is_refused():
    # Given a ZIP that claims to be a Word document but whose XML is garbage
    data = _zip({"[Content_Types].xml": b"<nope", "word/document.xml": b"\x00garbage"})

    # When it is parsed
    rejection = _rejection(data, "broken.docx")

    # Then it cannot be read as a Word document
    assert rejection.message == "broken.docx could not be read as a Word document."


def test_a_docx_too_large_once_unpacked_is_refused(monkeypatch):
    # Given a limit on the unpacked size smaller than the document
    monkeypatch.setattr(teams_docx, "_MAX_UNPACKED_BYTES", 1000)

    # When a Teams document is parsed
    rejection = _rejection(_fixture("teams_names.docx"), "big.docx")

    # Then it is refused before python-docx unpacks it
    assert rejection.message == "big.docx is too large once unpacked to be a transcript."


def test_a_docx_over_the_size_limit_is_refused_by_size():
    # Given ZIP bytes over 20 MB
    data = teams_docx.ZIP_MAGIC + b"\x01" * MAX_TRANSCRIPT_BYTES

    # When it is parsed
    rejection = _rejection(data, "big.docx")

    # Then the size limit is named
    assert rejection.message == "big.docx is larger than the 20 MB limit."


def test_text_forced_to_be_a_word_document_is_refused():
    # When a text file is parsed with the teams_docx hint
    rejection = _rejection(b"Ann: hi\n", "notes.txt", format_hint="teams_docx")

    # Then it is not a Word document
    assert rejection.message == "notes.txt is not a Word (.docx) document."


def test_a_word_document_forced_to_be_text_is_binary():
    # When a Teams document is parsed with a text format hint
    rejection = _rejection(_fixture("teams_names.docx"), "t.docx", format_hint="plain")

    # Then it is binary as text
    assert rejection.message == "t.docx looks like a binary file, not a transcript."


# --- SBV ----------------------------------------------------------------------------------


def test_sbv_cue_names_and_timings_are_read():
    # When an SBV file with 'Name: text' cues is parsed
    turns = parse_transcript(_fixture("coaching.sbv"), "coaching.sbv").turns

    # Then names and text are split like WebVTT and each cue keeps its times
    assert (turns[0].speaker, turns[0].text, turns[0].start, turns[0].end) == (
        "Nora Lind",
        "Welcome to the session, Felix.",
        1.2,
        4.8,
    )
    assert turns[3].text == "Time management, mostly. My calendar is full of meetings."
    assert (turns[-1].speaker, turns[-1].text) == (
        UNKNOWN_SPEAKER,
        "and maybe the weekly planning.",
    )


def test_sbv_youtube_speaker_change_marker_is_dropped():
    # Given YouTube's '>>' marker at the start of a cue
    data = b"0:00:01.000,0:00:02.000\n>> Ann: hello\n\n0:00:02.500,0:00:03.000\n>> yes\n"

    # When it is parsed
    turns = parse_transcript(data, "captions.sbv").turns

    # Then the marker is not part of the name or the text
    assert [(t.speaker, t.text) for t in turns] == [("Ann", "hello"), (UNKNOWN_SPEAKER, "yes")]


def test_sbv_cues_after_other_text_are_refused_naming_the_place():
    # Given SBV cues after a line of something else
    data = b"My captions\n\n0:00:01.000,0:00:02.000\nAnn: hi\n"

    # When it is parsed
    rejection = _rejection(data, "captions.txt")

    # Then it is read as SBV, and the stray text is named
    assert rejection.message == "captions.txt: the text before the first cue has no timing line."


# --- Otter, Zoom, Meet text ---------------------------------------------------------------


def test_otter_turns_are_timed_by_their_headers_and_the_footer_is_dropped():
    # When Otter's text export is parsed
    turns = parse_transcript(_fixture("otter.txt"), "otter.txt").turns

    # Then each header starts a turn that ends at the next one; lines join; no footer
    assert [(t.start, t.end) for t in turns[:2]] == [(3.0, 9.0), (9.0, 21.0)]
    assert turns[1].text == (
        "Honestly a bit hectic. The team reshuffle landed on Monday and I have been "
        "firefighting since."
    )
    assert (turns[-1].start, turns[-1].end) == (75.0, None)
    assert all("otter.ai" not in turn.text for turn in turns)


def test_otter_hours_and_an_invalid_header_time():
    # Given an Otter header past the hour, then one whose seconds cannot exist
    good = b"Speaker 1  1:02:03\nHello.\n\nSpeaker 2  1:02:09\nHi.\n"
    bad = b"Speaker 1  0:03\nHello.\n\nSpeaker 2  0:61\nHi.\n"

    # When they are parsed
    turns = parse_transcript(good, "otter.txt").turns
    rejection = _rejection(bad, "otter.txt")

    # Then h:mm:ss is read, and the bad line is named
    assert [(t.speaker, t.start) for t in turns] == [("Speaker 1", 3723.0), ("Speaker 2", 3729.0)]
    assert rejection.message == "otter.txt: line 4 has an invalid timestamp '0:61'."


def test_zoom_tab_headers_keep_their_clock_times():
    # When Zoom's 'Name<TAB>HH:MM:SS' export is parsed
    turns = parse_transcript(_fixture("zoom_tab.txt"), "zoom_tab.txt").turns

    # Then each turn starts at its header's time
    assert [t.start for t in turns] == [4.0, 11.0, 20.0, 26.0, 33.0, 41.0, 62.0]
    assert (
        turns[1].text
        == "With the promotion conversation, I think. It has been on my mind all week."
    )


def test_meet_front_matter_and_notes_are_left_out_and_timestamps_start_turns():
    # When a Google Meet transcript is parsed
    turns = parse_transcript(_fixture("meet.txt"), "meet.txt").turns

    # Then no turn holds the title, the attendee list or Meet's closing note
    texts = " ".join(turn.text for turn in turns)
    assert "Attendees" not in texts and "Ada Brennan, Jonas Feld" not in texts
    assert "Meeting ended" not in texts
    # and a timestamp line gives the start of the turn after it; the others are untimed
    assert [(t.speaker, t.start) for t in turns if t.start is not None] == [
        ("Ada Brennan", 0.0),
        ("Jonas Feld", 300.0),
        ("Ada Brennan", 600.0),
    ]
    assert turns[3].text == (
        "It is. I had a difficult conversation on Tuesday that did not go the way I hoped."
    )


def test_plain_name_text_lines_with_timestamp_lines_stay_plain():
    # Given 'Name: text' lines and timestamp lines but none of Meet's headings
    data = b"00:00:00\nAnn: hello\nBo: hi\n"

    # When it is parsed
    transcript = parse_transcript(data, "notes.txt")

    # Then it is plain text, as before
    assert transcript.format == "plain"
    assert [(t.speaker, t.start) for t in transcript.turns] == [("Ann", 0.0), ("Bo", None)]


# --- Fireflies JSON -----------------------------------------------------------------------


def test_fireflies_sentences_keep_their_times_in_seconds():
    # When a Fireflies export is parsed
    turns = parse_transcript(_fixture("fireflies.json"), "fireflies.json").turns

    # Then each sentence is a turn with its own times
    assert (turns[0].speaker, turns[0].start, turns[0].end) == ("Rosa Klein", 0.52, 3.9)
    assert (turns[-1].start, turns[-1].end) == (32.0, 35.5)
    assert turns[3].text == "I finally had the conversation about my workload."


def test_fireflies_sentence_without_a_name_or_text():
    # Given sentences with a null speaker, text only in raw_text, and one empty
    sentences = [
        {"speaker_name": None, "text": "hello", "start_time": 1, "end_time": 2},
        {"speaker_name": "Bo", "text": "", "raw_text": "hi", "start_time": 2.5, "end_time": 3},
        {"speaker_name": "Bo", "text": "  ", "start_time": 3, "end_time": 4},
    ]
    data = json.dumps({"sentences": sentences}).encode()

    # When it is parsed
    turns = parse_transcript(data, "ff.json").turns

    # Then the unnamed one is unknown, raw_text stands in, the empty one is skipped
    assert [(t.speaker, t.text) for t in turns] == [(UNKNOWN_SPEAKER, "hello"), ("Bo", "hi")]


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        ([{"text": "a", "start_time": -1}], "ff.json: sentence 1 has an invalid start_time."),
        (
            [{"text": "a"}, {"text": "b", "end_time": "soon"}],
            "ff.json: sentence 2 has an invalid end_time.",
        ),
        ([{"text": 5}], "ff.json: sentence 1 has an invalid text."),
        (["just text"], "ff.json: sentence 1 is not an object."),
        ([], "ff.json has no sentences."),
        ({"0": {}}, "ff.json: its 'sentences' are not a list."),
        ([{"text": ""}], "ff.json has no sentences with text."),
    ],
)
def test_fireflies_documents_with_bad_values_are_refused_naming_the_sentence(sentences, expected):
    # When a Fireflies document has a bad value
    rejection = _rejection(json.dumps({"sentences": sentences}).encode(), "ff.json")

    # Then the sentence and field are named, never the value
    assert rejection.message == expected


# --- AWS Transcribe JSON ------------------------------------------------------------------


def test_transcribe_turns_are_runs_of_one_speaker_with_punctuation_attached():
    # When Transcribe output whose speakers are only in speaker_labels is parsed
    turns = parse_transcript(_fixture("transcribe.json"), "transcribe.json").turns

    # Then spk_N is 'Speaker N+1', punctuation sticks to its word, times are the words'
    assert (turns[0].speaker, turns[0].text) == ("Speaker 1", "Hello Kim, how are you today?")
    assert (turns[0].start, turns[0].end) == (0.3, 2.65)
    assert turns[4].speaker == "Speaker 3"


def test_transcribe_audio_segments_of_one_speaker_in_a_row_make_one_turn():
    # When Transcribe output with only audio_segments is parsed
    turns = parse_transcript(
        _fixture("transcribe_audio_segments.json"), "transcribe_audio_segments.json"
    ).turns

    # Then two segments of the same speaker in a row are one turn spanning both
    assert (turns[1].speaker, turns[1].start, turns[1].end) == ("Speaker 2", 3.6, 12.0)
    assert turns[1].text == (
        "Yes. I tried the morning planning routine. It worked for three days out of five."
    )


def _item(content: str, start: str | None = None, label: str | None = None) -> dict:
    item: dict = {"alternatives": [{"content": content}]}
    if start is None:
        item["type"] = "punctuation"
    else:
        end = f"{float(start) + 0.2:.2f}"
        item.update(type="pronunciation", start_time=start, end_time=end)
    if label is not None:
        item["speaker_label"] = label
    return item


def test_transcribe_items_with_their_own_speaker_labels():
    # Given newer output: each word carries its speaker
    items = [
        _item("Hi", "0.1", "spk_1"),
        _item("."),
        _item("Hello", "0.5", "spk_0"),
        _item("there", "0.8", "spk_0"),
        _item("!"),
    ]
    data = json.dumps({"results": {"items": items}}).encode()

    # When it is parsed
    turns = parse_transcript(data, "job.json").turns

    # Then the speaker changes split the turns
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("Speaker 2", "Hi.", 0.1, 0.3),
        ("Speaker 1", "Hello there!", 0.5, 1.0),
    ]


def test_transcribe_without_speaker_labels_gives_a_turn_per_sentence():
    # Given output of a job run without speaker identification
    items = [_item("One", "0.0"), _item("."), _item("Two", "1.0"), _item("too", "1.5")]
    data = json.dumps({"results": {"items": items}}).encode()

    # When it is parsed
    turns = parse_transcript(data, "job.json").turns

    # Then each sentence is an unknown speaker's turn
    assert [(t.speaker, t.text) for t in turns] == [
        (UNKNOWN_SPEAKER, "One."),
        (UNKNOWN_SPEAKER, "Two too"),
    ]


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ({"items": [{"type": "pronunciation"}]}, "job.json: item 1 has no alternatives."),
        (
            {"items": [_item("a", "0.1"), {**_item("b", "0.2"), "start_time": "x"}]},
            "job.json: item 2 has an invalid start_time.",
        ),
        ({"items": [_item("a", "0.1", label=3)]}, "job.json: item 1 has an invalid speaker_label."),
        ({"items": "words"}, "job.json: its results' items are not a list."),
        ({"transcripts": []}, "job.json is an Amazon Transcribe result without any words."),
        (
            {"audio_segments": [{"transcript": "a", "end_time": "-2"}]},
            "job.json: audio segment 1 has an invalid end_time.",
        ),
    ],
)
def test_transcribe_documents_with_bad_values_are_refused_naming_the_item(results, expected):
    # When Transcribe output has a bad value
    rejection = _rejection(json.dumps({"results": results}).encode(), "job.json")

    # Then the item and the field are named
    assert rejection.message == expected


# --- JSON that is neither -----------------------------------------------------------------


@pytest.mark.parametrize("document", [{"hello": "world"}, [1, 2, 3], {"results": []}])
def test_other_json_is_refused_naming_the_supported_formats(document):
    # When a JSON document of another kind is parsed
    rejection = _rejection(json.dumps(document).encode(), "data.json")

    # Then the refusal says which JSON is supported and lists every format
    assert "neither a Fireflies nor an Amazon Transcribe transcript" in rejection.message
    assert all(name in rejection.message for name in SUPPORTED_FORMATS)


@pytest.mark.parametrize(
    ("data", "filename"),
    [(b'{"sentences": [', "ff.txt"), (b"[1, 2", "data.json"), (b"{oops}", "x")],
)
def test_broken_json_is_refused_with_where_it_breaks(data, filename):
    # When a broken JSON document is parsed
    rejection = _rejection(data, filename)

    # Then the place it breaks is named
    assert rejection.message.startswith(f"{filename} is not valid JSON: it breaks off at line 1")


def test_deeply_nested_json_is_refused():
    # When a JSON document is nested far too deep
    rejection = _rejection(b"[" * 100_000 + b"]" * 100_000, "deep.json")

    # Then it is refused, not crashed on
    assert rejection.message == "deep.json could not be read as JSON."


def test_json_forced_to_the_other_json_format_is_refused():
    # When a Fireflies document is parsed as Transcribe output
    rejection = _rejection(_fixture("fireflies.json"), "ff.json", "aws_transcribe_json")

    # Then it is not a transcript of that kind
    assert "neither a Fireflies nor an Amazon Transcribe transcript" in rejection.message


# --- hints, encodings ---------------------------------------------------------------------


def test_format_hint_forces_a_parser_over_detection():
    # Given Zoom's tab-separated text, which Otter's parser also reads
    data = _fixture("zoom_tab.txt")

    # When it is parsed with the otter_txt hint
    transcript = parse_transcript(data, "zoom_tab.txt", format_hint="OTTER_TXT")

    # Then Otter's parser read it
    assert transcript.format == "otter_txt"
    assert transcript.speakers == ["Priya Raman", "Sam Ortiz"]


@pytest.mark.parametrize("hint", ["docx", "json", "teams", "vtt2"])
def test_unknown_hint_lists_every_supported_format(hint):
    # When the hint names no supported format
    rejection = _rejection(b"Ann: hi\n", "x.txt", format_hint=hint)

    # Then every supported format is listed
    assert f"unknown transcript format '{hint}'" in rejection.message
    assert all(name in rejection.message for name in SUPPORTED_FORMATS)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: text.encode("utf-16"),
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        lambda text: text.replace("\n", "\r\n").encode("utf-16-le"),  # no BOM
        lambda text: text.replace("\n", "\r\n").encode("cp1252", errors="replace"),
    ],
    ids=["utf8", "utf8-bom-crlf", "utf16-bom", "utf16-be-bom", "utf16-le-no-bom", "cp1252-crlf"],
)
@pytest.mark.parametrize("fixture", ["otter.txt", "meet.txt", "zoom_tab.txt", "coaching.sbv"])
def test_text_formats_read_the_same_in_every_encoding(fixture, encode):
    # Given a text fixture re-encoded
    text = _fixture(fixture).decode("utf-8")
    expected = parse_transcript(text.encode("utf-8"), fixture)

    # When it is parsed
    transcript = parse_transcript(encode(text), fixture)

    # Then it reads the same (cp1252 has no emoji: Meet's closing note is dropped anyway)
    assert transcript.format == expected.format
    assert [(t.speaker, t.start, t.text) for t in transcript.turns] == [
        (t.speaker, t.start, t.text) for t in expected.turns
    ]


@pytest.mark.parametrize("fixture", ["fireflies.json", "transcribe.json"])
def test_json_in_utf16_is_read(fixture):
    # When a JSON export is saved as UTF-16 by a Windows editor
    data = _fixture(fixture).decode("utf-8").encode("utf-16")

    # Then it is still read
    assert parse_transcript(data, fixture).turns
