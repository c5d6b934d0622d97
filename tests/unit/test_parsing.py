"""Transcript parsers: what comes out of each format, and how bad files are refused."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

import pytest

from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import UNKNOWN_SPEAKER
from coaching.parsing import MAX_TRANSCRIPT_BYTES, SUPPORTED_FORMATS, parse_transcript

# Parametrising needs the files at collection time; same location as the shared_data fixture.
SHARED_DATA = Path(
    os.environ.get("COACH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)
NOT_TRANSCRIPTS = {"LICENSE", "SOURCE.txt"}


def _files(folder: str, pattern: str) -> list[Path]:
    root = SHARED_DATA / folder
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob(pattern) if p.is_file() and p.name not in NOT_TRANSCRIPTS)


def _rejection(data: bytes, filename: str, format_hint: str | None = None) -> TranscriptRejected:
    with pytest.raises(TranscriptRejected) as caught:
        parse_transcript(data, filename, format_hint)
    return caught.value


# --- shared development data -------------------------------------------------------------


@pytest.mark.parametrize("path", _files("format-fixtures", "*"), ids=lambda p: p.name)
def test_every_format_fixture_is_parsed_or_rejected_with_a_message(path: Path, shared_data):
    # Given a file from the format edge cases
    data = path.read_bytes()

    # When it is parsed
    try:
        transcript = parse_transcript(data, path.name)
    except TranscriptRejected as rejection:
        # Then a refusal says what is wrong and what to do
        assert rejection.message.strip()
        assert rejection.hint.strip()
        return

    # Then, or it gives at least one turn
    assert len(transcript.turns) >= 1


def _speakers_read_independently(raw: bytes) -> tuple[set[str], int]:
    lines = raw.decode("utf-8-sig").replace("\r\n", "\n").split("\n")
    timing_lines = [i for i, line in enumerate(lines) if "-->" in line]
    names = set()
    for i in timing_lines:
        match = re.match(r"^([^:\n]{1,60}): ", lines[i + 1])
        if match:
            names.add(match.group(1).strip())
    return names, len(timing_lines)


@pytest.mark.parametrize("path", _files("zoom-vtt", "*.vtt"), ids=lambda p: p.name)
def test_zoom_vtt_gives_one_turn_per_cue_and_the_speakers_in_the_cues(path: Path, shared_data):
    # Given a real Zoom cloud-recording transcript
    raw = path.read_bytes()
    expected_speakers, cue_count = _speakers_read_independently(raw)

    # When it is parsed
    transcript = parse_transcript(raw, path.name)

    # Then every cue is a turn and the speakers are those named in the cues
    assert transcript.format == "vtt"
    assert len(transcript.turns) == cue_count
    assert set(transcript.speakers) == expected_speakers
    assert [turn.index for turn in transcript.turns] == list(range(cue_count))


def test_teams_voice_tags_give_the_speakers_and_short_timestamps_are_read(shared_data):
    # Given a Teams transcript with <v Name> tags and timestamps like 0:0:0.570
    data = (shared_data / "format-fixtures/webvtt-py/teams_timeframe.vtt").read_bytes()

    # When it is parsed
    transcript = parse_transcript(data, "teams_timeframe.vtt")

    # Then the voices are the speakers and the timings are in seconds
    assert transcript.speakers == ["Yuri Bakulin", "Adrian Petrescu"]
    first, second = transcript.turns
    assert (first.start, first.end, first.text) == (0.0, 0.57, "There you go.")
    assert (second.start, second.end) == (0.21, 1.13)
    assert second.text == "Why hello there, Yuri."


def test_srt_cues_become_timed_turns_of_an_unknown_speaker(shared_data):
    # Given an SRT file with five captions and no names
    data = (shared_data / "format-fixtures/webvtt-py/sample.srt").read_bytes()

    # When it is parsed
    transcript = parse_transcript(data, "sample.srt")

    # Then each caption is a turn with its timings
    assert transcript.format == "srt"
    assert [t.text for t in transcript.turns] == [f"Caption text #{i}" for i in range(1, 6)]
    assert (transcript.turns[0].start, transcript.turns[0].end) == (0.5, 7.0)
    assert (transcript.turns[4].start, transcript.turns[4].end) == (21.58, 23.88)
    assert transcript.speakers == [UNKNOWN_SPEAKER]


def test_zoom_plain_text_export_gives_named_turns_with_increasing_starts(shared_data):
    # Given Zoom's '[Name] hh:mm:ss' text transcript
    path = shared_data / "format-fixtures/zoom_txt_datadaveshin/input_example.txt"

    # When it is parsed
    transcript = parse_transcript(path.read_bytes(), path.name)

    # Then the speakers are named and the turns are in time order
    assert transcript.format == "zoom_txt"
    assert set(transcript.speakers) == {"Johnny Doe", "Janet Dough"}
    starts = [turn.start for turn in transcript.turns]
    assert all(start is not None for start in starts)
    assert starts == sorted(starts) and starts[0] < starts[-1]
    assert transcript.turns[0].text == "How you doing?"
    assert [t.end for t in transcript.turns[:-1]] == starts[1:]
    assert transcript.turns[-1].end is None


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("empty.vtt", "empty.vtt is empty."),
        ("no_captions.vtt", "no_captions.vtt has no cues."),
        (
            "invalid_timeframe.vtt",
            "invalid_timeframe.vtt: cue 2 has an invalid timestamp '00:00:1d.890'.",
        ),
        ("invalid.vtt", "invalid.vtt is not a WebVTT file: its first line must be 'WEBVTT'."),
        (
            "missing_timeframe.vtt",
            "missing_timeframe.vtt: the text after cue 1 has no timing line.",
        ),
        ("missing_timeframe.srt", "missing_timeframe.srt: cue 2 has no timing line."),
        ("invalid_format3.srt", "invalid_format3.srt: cue 1 has no timing line."),
    ],
)
def test_broken_fixtures_are_refused_with_the_problem_named(fixture, expected, shared_data):
    # Given a damaged subtitle file
    data = (shared_data / "format-fixtures/webvtt-py" / fixture).read_bytes()

    # When it is parsed
    rejection = _rejection(data, fixture)

    # Then the message names the file and the problem
    assert rejection.message == expected


def test_sbv_captions_become_timed_turns(shared_data):
    # Given a YouTube SBV file with five captions, one of two lines
    data = (shared_data / "format-fixtures/webvtt-py/sample.sbv").read_bytes()

    # When it is parsed
    transcript = parse_transcript(data, "sample.sbv")

    # Then each caption is a turn with its timings, nobody named
    assert transcript.format == "sbv"
    assert len(transcript.turns) == 5
    assert transcript.turns[2].text == "Caption text #3 (line 1) Caption text #3 (line 2)"
    assert (transcript.turns[0].start, transcript.turns[0].end) == (0.378, 11.378)
    assert transcript.speakers == [UNKNOWN_SPEAKER]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "invalid_timeframe.sbv",
            "invalid_timeframe.sbv: cue 3 has an invalid timestamp '0:00:13.f89'.",
        ),
        (
            "missing_timeframe.sbv",
            "missing_timeframe.sbv: the text after cue 1 has no timing line.",
        ),
        (
            "invalid_format.sbv",
            "invalid_format.sbv is not an SBV file: "
            "it has no timing lines like '0:00:01.000,0:00:04.000'.",
        ),
    ],
)
def test_broken_sbv_files_are_refused_naming_the_cue(fixture, expected, shared_data):
    # Given a damaged SBV file
    data = (shared_data / "format-fixtures/webvtt-py" / fixture).read_bytes()

    # When it is parsed
    rejection = _rejection(data, fixture)

    # Then the message names the file and the cue
    assert rejection.message == expected


def test_sbv_cue_without_text_is_skipped(shared_data):
    # Given an SBV file whose second cue has no text
    data = (shared_data / "format-fixtures/webvtt-py/missing_caption_text.sbv").read_bytes()

    # When it is parsed
    turns = parse_transcript(data, "missing_caption_text.sbv").turns

    # Then the other four are read
    assert [t.text for t in turns] == [f"Caption text #{i}" for i in (1, 3, 4, 5)]


# --- WebVTT -------------------------------------------------------------------------------

ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:02.500
Akash | ECH : Hello everyone.

2
00:00:03.000 --> 00:00:04.000
Maria Lopez: Hi Akash.
Good to see you.

3
00:00:05.000 --> 00:00:06.000
just some words without a name

4
00:00:07.000 --> 00:00:08.000
Okay. So the question is: what next?

5
00:00:09.000 --> 00:00:10.000
T. Wambsgans: Sounds good.
"""


def test_zoom_cue_names_are_kept_as_written_and_trimmed():
    # Given Zoom cues 'Name: text', one name with a pipe and a space before the colon
    # When it is parsed
    transcript = parse_transcript(ZOOM_VTT.encode(), "call.vtt")

    # Then the name is the text before the first ': ', trimmed
    assert transcript.turns[0].speaker == "Akash | ECH"
    assert transcript.turns[0].text == "Hello everyone."
    assert transcript.turns[4].speaker == "T. Wambsgans"


def test_multi_line_cue_text_is_joined_with_a_space():
    # Given a cue of two lines
    # When it is parsed
    turn = parse_transcript(ZOOM_VTT.encode(), "call.vtt").turns[1]

    # Then it is one turn, its lines joined
    assert (turn.speaker, turn.text) == ("Maria Lopez", "Hi Akash. Good to see you.")


def test_cues_without_a_name_get_the_unknown_speaker_and_are_never_guessed():
    # Given a cue with no name, and one whose text before ': ' is a sentence
    # When it is parsed
    turns = parse_transcript(ZOOM_VTT.encode(), "call.vtt").turns

    # Then neither cue is given to anyone
    assert turns[2].speaker == UNKNOWN_SPEAKER
    assert turns[2].text == "just some words without a name"
    assert turns[3].speaker == UNKNOWN_SPEAKER
    assert turns[3].text == "Okay. So the question is: what next?"


def test_a_long_prefix_before_a_colon_is_not_a_name():
    # Given a cue whose text before ': ' is longer than 60 characters
    prefix = "This is a rather long sentence that goes on and on before the colon"
    data = f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{prefix}: yes\n".encode()

    # When it is parsed
    turn = parse_transcript(data, "long.vtt").turns[0]

    # Then the cue has no speaker and keeps all its text
    assert turn.speaker == UNKNOWN_SPEAKER
    assert turn.text == f"{prefix}: yes"


def test_cue_markup_is_stripped_from_the_text(shared_data):
    # Given cues with <c> classes, <b> and inline timestamps
    data = (shared_data / "format-fixtures/webvtt-py/cue_tags.vtt").read_bytes()

    # When it is parsed
    texts = [turn.text for turn in parse_transcript(data, "cue_tags.vtt").turns]

    # Then only the words remain
    assert texts == ["When the moon hits your eye", "Like a big-a pizza pie", "That's amore"]


def test_cues_with_empty_text_are_skipped_and_indexes_stay_contiguous(shared_data):
    # Given a file whose second cue has no text
    data = (shared_data / "format-fixtures/webvtt-py/missing_caption_text.vtt").read_bytes()

    # When it is parsed
    turns = parse_transcript(data, "missing_caption_text.vtt").turns

    # Then the empty cue is left out and the rest are numbered 0, 1, 2...
    assert [t.text for t in turns] == [f"Caption text #{i}" for i in (1, 3, 4, 5)]
    assert [t.index for t in turns] == [0, 1, 2, 3]


def test_captions_without_any_names_are_parsed_as_unknown_speakers(shared_data):
    # Given plain captions with no speaker names at all
    data = (shared_data / "format-fixtures/webvtt-py/sample.vtt").read_bytes()

    # When it is parsed
    transcript = parse_transcript(data, "sample.vtt")

    # Then every turn belongs to the unknown speaker
    assert len(transcript.turns) == 16
    assert transcript.speakers == [UNKNOWN_SPEAKER]


def test_html_entities_in_cue_text_are_decoded():
    # Given WebVTT text with escaped characters
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann &amp; Bo>Salt &amp; pepper &lt;3</v>\n"

    # When it is parsed
    turn = parse_transcript(data, "x.vtt").turns[0]

    # Then they read as written
    assert (turn.speaker, turn.text) == ("Ann & Bo", "Salt & pepper <3")


def test_a_vtt_cue_with_minutes_over_59_is_refused():
    # Given a cue timing that cannot exist
    data = b"WEBVTT\n\n00:61:00.000 --> 00:62:00.000\nA: hi\n"

    # When it is parsed
    rejection = _rejection(data, "x.vtt")

    # Then the cue and the timestamp are named
    assert rejection.message == "x.vtt: cue 1 has an invalid timestamp '00:61:00.000'."


# --- SRT ----------------------------------------------------------------------------------


def test_srt_names_and_formatting_tags_are_read_like_zoom_cues():
    # Given SRT cues with 'Name: text' and <i> tags
    data = (
        b"1\n00:00:01,000 --> 00:00:02,000\nCoach: <i>How are you?</i>\n\n"
        b"2\n00:00:02,500 --> 00:00:04,000\nClient: Fine,\nthanks.\n"
    )

    # When it is parsed
    transcript = parse_transcript(data, "session.srt")

    # Then names and text are separated and tags removed
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Coach", "How are you?"),
        ("Client", "Fine, thanks."),
    ]
    assert (transcript.turns[1].start, transcript.turns[1].end) == (2.5, 4.0)


def test_srt_invalid_timestamp_names_the_cue_and_the_timestamp():
    # Given an SRT file whose second cue has a letter in its end time
    data = b"1\n00:00:00,500 --> 00:00:07,000\nA\n\n2\n00:00:07,000 --> 00:00:1d,890\nB\n"

    # When it is parsed
    rejection = _rejection(data, "x.srt")

    # Then the message points at the cue
    assert rejection.message == "x.srt: cue 2 has an invalid timestamp '00:00:1d,890'."


# --- Zoom plain text ----------------------------------------------------------------------


def test_zoom_text_with_tab_separated_headers_is_read():
    # Given 'Name<TAB>HH:MM:SS' headers each followed by text lines
    data = b"Coach Kim\t00:00:05\nWelcome back.\nHow was the week?\n\nSam Lee\t00:00:12\nBusy.\n"

    # When it is parsed
    transcript = parse_transcript(data, "meeting.txt")

    # Then each header starts a turn timed by it, ending at the next one
    assert transcript.format == "zoom_txt"
    assert [(t.speaker, t.start, t.end, t.text) for t in transcript.turns] == [
        ("Coach Kim", 5.0, 12.0, "Welcome back. How was the week?"),
        ("Sam Lee", 12.0, None, "Busy."),
    ]


# --- plain 'Name: text' -------------------------------------------------------------------


def test_plain_lines_without_timestamps_become_untimed_turns():
    # Given 'Name: text' lines
    data = b"Coach: How are you today?\nClient: Better, thanks.\nCoach: Good to hear.\n"

    # When it is parsed
    transcript = parse_transcript(data, "notes.txt")

    # Then every line is a turn with no timings
    assert transcript.format == "plain"
    assert [(t.index, t.speaker) for t in transcript.turns] == [
        (0, "Coach"),
        (1, "Client"),
        (2, "Coach"),
    ]
    assert all(t.start is None and t.end is None for t in transcript.turns)


@pytest.mark.parametrize(
    "lines",
    [
        ["[00:01:02] Coach: Hello.", "[00:01:10] Client: Hi."],
        ["00:01:02 Coach: Hello.", "00:01:10 Client: Hi."],
        ["(01:02) Coach: Hello.", "(01:10) Client: Hi."],
    ],
    ids=["bracketed", "bare", "parenthesised"],
)
def test_plain_lines_with_a_leading_timestamp_are_timed_until_the_next_turn(lines):
    # Given 'Name: text' lines after a timestamp
    data = "\n".join(lines).encode()

    # When it is parsed
    turns = parse_transcript(data, "notes.txt").turns

    # Then the start comes from the line and the end from the next line's start
    assert [(t.speaker, t.start, t.end, t.text) for t in turns] == [
        ("Coach", 62.0, 70.0, "Hello."),
        ("Client", 70.0, None, "Hi."),
    ]


def test_plain_continuation_lines_stay_in_their_turn_and_loose_paragraphs_are_unknown():
    # Given a turn running over two lines, and a paragraph without a name
    data = (
        b"Coach: First line\nsecond line.\n\nSomething nobody claimed.\nClient:\nOn its own line.\n"
    )

    # When it is parsed
    turns = parse_transcript(data, "notes.txt").turns

    # Then continuation joins its turn, the loose paragraph is nobody's
    assert [(t.speaker, t.text) for t in turns] == [
        ("Coach", "First line second line."),
        (UNKNOWN_SPEAKER, "Something nobody claimed."),
        ("Client", "On its own line."),
    ]


def test_plain_text_without_any_speaker_is_refused():
    # Given prose with no 'Name: text' lines
    # When it is parsed
    rejection = _rejection(b"We talked about goals and next steps.\n", "x.txt")

    # Then the refusal says there are no speaker turns and how to write them
    assert rejection.message == "x.txt has no speaker turns."
    assert "Name: " in rejection.hint


def test_plain_timestamp_that_cannot_exist_is_refused_with_its_line():
    # When a line's timestamp has 75 minutes
    rejection = _rejection(b"A: hi\n[00:75:00] B: hello\n", "x.txt")

    # Then the line is named
    assert rejection.message == "x.txt: line 2 has an invalid timestamp '00:75:00'."


# --- encodings and line endings -----------------------------------------------------------

PLAIN_TEXT = "Coach: Ça va, Zoë?\nClient: Très bien — merci.\n"


@pytest.mark.parametrize(
    "encoded",
    [
        PLAIN_TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + PLAIN_TEXT.encode("utf-8"),
        PLAIN_TEXT.encode("utf-16"),  # with its BOM
        codecs.BOM_UTF16_BE + PLAIN_TEXT.encode("utf-16-be"),
        PLAIN_TEXT.encode("utf-16-le"),  # no BOM
        PLAIN_TEXT.encode("cp1252"),
        PLAIN_TEXT.replace("\n", "\r\n").encode("utf-8"),
        PLAIN_TEXT.replace("\n", "\r").encode("utf-8"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16-le-bom",
        "utf16-be-bom",
        "utf16-no-bom",
        "cp1252",
        "crlf",
        "cr",
    ],
)
def test_text_is_decoded_whatever_the_encoding_and_line_endings(encoded):
    # Given the same transcript in another encoding or with other line endings
    # When it is parsed
    transcript = parse_transcript(encoded, "notes.txt")

    # Then it reads the same
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Coach", "Ça va, Zoë?"),
        ("Client", "Très bien — merci."),
    ]


def test_utf16_vtt_with_crlf_is_read():
    # Given a WebVTT file written by a Windows tool
    text = "WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nAnn: hello\r\n"

    # When it is parsed
    transcript = parse_transcript(text.encode("utf-16"), "win.vtt")

    # Then the cue is read
    assert [(t.speaker, t.text, t.start) for t in transcript.turns] == [("Ann", "hello", 1.0)]


# --- format hints -------------------------------------------------------------------------


def test_format_hint_forces_the_parser():
    # Given 'Name: text' content that would be detected as plain
    data = b"Coach: hello\n"

    # When the caller says it is WebVTT
    rejection = _rejection(data, "notes.txt", format_hint="vtt")

    # Then it is read as WebVTT, and refused as one
    assert "not a WebVTT file" in rejection.message


def test_format_hint_is_case_insensitive_and_wins_over_detection():
    # Given a Zoom text transcript, forced to be read as plain text
    data = b"[Ann] 00:00:01\nAnn: said with a name too\n"

    # When it is parsed with a hint
    transcript = parse_transcript(data, "x.txt", format_hint=" Plain ")

    # Then the plain parser read it
    assert transcript.format == "plain"
    assert transcript.speakers == [UNKNOWN_SPEAKER, "Ann"]


def test_unknown_format_hint_is_refused_listing_the_supported_formats():
    # When the hint names no supported format
    rejection = _rejection(b"Coach: hello\n", "x.txt", format_hint="docx")

    # Then the refusal lists what is supported
    assert "'docx'" in rejection.message
    assert all(name in rejection.message for name in SUPPORTED_FORMATS)


def test_supported_formats_are_every_parser():
    assert SUPPORTED_FORMATS == (
        "vtt",
        "srt",
        "sbv",
        "zoom_txt",
        "otter_txt",
        "meet_txt",
        "teams_docx",
        "fireflies_json",
        "aws_transcribe_json",
        "plain",
    )


def test_extension_breaks_the_tie_for_cue_timings_without_a_header():
    # Given a cue timing without a WEBVTT header or SRT numbering
    data = b"00:00:01.000 --> 00:00:02.000\nAnn: hi\n"

    # When the file is called .srt, or .vtt
    as_srt = parse_transcript(data, "x.srt")
    as_vtt = _rejection(data, "x.vtt")

    # Then each is read as its extension says: SRT numbering is optional, the header is not
    assert as_srt.format == "srt"
    assert [(t.speaker, t.text, t.start) for t in as_srt.turns] == [("Ann", "hi", 1.0)]
    assert "not a WebVTT file" in as_vtt.message


# --- files that are not transcripts -------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_reading_it():
    # Given a file one byte over 20 MB
    data = b"A: hi\n" * (MAX_TRANSCRIPT_BYTES // 6) + b"x" * (MAX_TRANSCRIPT_BYTES % 6 + 1)
    assert len(data) == MAX_TRANSCRIPT_BYTES + 1

    # When it is parsed
    rejection = _rejection(data, "big.vtt")

    # Then the limit is named
    assert rejection.message == "big.vtt is larger than the 20 MB limit."
    assert MAX_TRANSCRIPT_BYTES == 20 * 1024 * 1024


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        b"\x81\x8d\x8f\x90\x9d" * 10,  # neither UTF-8 nor cp1252
        bytes(range(1, 32)) * 10,
    ],
    ids=["png", "zip", "undecodable", "control-characters"],
)
def test_binary_files_are_refused(data):
    # When a binary file is parsed
    rejection = _rejection(data, "x.bin")

    # Then it is called binary
    assert rejection.message == "x.bin looks like a binary file, not a transcript."
    assert rejection.hint


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")]
)
def test_empty_files_are_refused(data):
    # When an empty or blank file is parsed
    rejection = _rejection(data, "notes.vtt")

    # Then it is called empty
    assert rejection.message == "notes.vtt is empty."
    assert "Export the transcript again" in rejection.hint


def test_the_message_names_the_file_without_its_folders():
    # When a file from a storage key is refused
    rejection = _rejection(b"", "uploads/coach-1/session 3.vtt")

    # Then only its own name is shown
    assert rejection.message == "session 3.vtt is empty."
