"""Properties of parse_transcript over any input: a Transcript or a TranscriptRejected, no
other exception, and well-formed turns whenever it succeeds."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import Transcript
from coaching.parsing import SUPPORTED_FORMATS, parse_transcript

HINTS = st.sampled_from((None, *SUPPORTED_FORMATS))
FILENAMES = st.sampled_from(
    ("t.vtt", "t.srt", "t.txt", "t.sbv", "t.json", "t.docx", "t", "dir/t.bin")
)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"

# Pieces of every format, so generated text reaches past the first checks of each parser.
FRAGMENTS = st.sampled_from(
    (
        "WEBVTT",
        "\n",
        "\n\n",
        "\r\n",
        "1",
        "00:00:01.000 --> 00:00:02.500",
        "0:0:0.5 --> 0:0:1.130",
        "00:00:01,000 --> 00:00:02,000",
        "99:99:99.999 --> 00:00:00.000",
        "-->",
        "Ann: ",
        "Bo Li: hello there",
        "<v Ann>",
        "</v>",
        "<c.x>",
        "<00:00:01.000>",
        "[Ann] 11:02:09",
        "Ann\t00:01:02",
        "Speaker 1  0:03",
        "Ann   1:02:03",
        "0:00:00.378,0:00:11.378",
        "0:00:1x.378,0:00:11.378",
        ">> ",
        "00:05:00",
        "Attendees",
        "Transcript",
        "Meeting ended after 00:12:41",
        "Transcribed by https://otter.ai",
        "{",
        "}",
        '"sentences": [',
        '{"results": {"items": [',
        "[00:01:02] ",
        "(01:02) ",
        "Lena Ford (00:06):",
        "Ann [01:02]: ",
        "Mira Okafor\n",
        '[{"sentence": "a", "speaker_name": "A", "startTime": ',
        '{"Transcript": [{"ParticipantRole": "AGENT", "Content": ',
        '{"results": {"channel_labels": {"channels": [{"items": [',
        "<v Bo>",
        "NOTE",
        "STYLE",
        "Okay. So: ",
        "&amp;",
        " ",
        "\t",
        "\ufeff",
        "\u2028",
        "\x00",
        "é",
    )
)
TRANSCRIPT_LIKE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join)


def _check(data: bytes, filename: str, hint: str | None) -> None:
    try:
        transcript = parse_transcript(data, filename, hint)
    except TranscriptRejected as rejection:
        assert rejection.message.strip()
        assert rejection.hint.strip()
        return
    assert isinstance(transcript, Transcript)
    assert transcript.format in SUPPORTED_FORMATS
    assert transcript.turns
    assert [turn.index for turn in transcript.turns] == list(range(len(transcript.turns)))
    for turn in transcript.turns:
        assert turn.text.strip()
        assert turn.speaker.strip()
        for time in (turn.start, turn.end):
            assert time is None or time >= 0


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048), filename=FILENAMES, hint=HINTS)
@example(data=b"", filename="t.vtt", hint=None)
@example(data=b"\xff\xfe", filename="t.vtt", hint="vtt")
@example(data=b"\x00\x00", filename="t.txt", hint=None)
@example(data=b"PK\x03\x04", filename="t.docx", hint=None)
@example(data=b"PK\x03\x04\x00", filename="t.bin", hint="teams_docx")
@example(data=b"{", filename="t.json", hint=None)
def test_any_bytes_give_a_transcript_or_a_rejection(data, filename, hint):
    # Given any bytes, file name and format hint
    # When they are parsed
    # Then the result is a well-formed Transcript or a TranscriptRejected, nothing else
    _check(data, filename, hint)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=1024), filename=FILENAMES, hint=HINTS)
def test_any_utf8_text_gives_a_transcript_or_a_rejection(text, filename, hint):
    # Given any text as UTF-8
    # When it is parsed
    # Then the result is a well-formed Transcript or a TranscriptRejected, nothing else
    _check(text.encode("utf-8"), filename, hint)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(text=TRANSCRIPT_LIKE, filename=FILENAMES, hint=HINTS)
@example(text="WEBVTT\n\n0:0:0.5 --> 0:0:1.130\n<v Ann>hi</v>\n", filename="t.vtt", hint=None)
@example(text="1\n00:00:01,000 --> 00:00:02,000\nAnn: hi\n", filename="t.srt", hint=None)
def test_transcript_like_text_gives_a_transcript_or_a_rejection(text, filename, hint):
    # Given text assembled from pieces of every supported format
    # When it is parsed, in every encoding a transcript arrives in
    # Then the result is a well-formed Transcript or a TranscriptRejected, nothing else
    for encoded in (text.encode("utf-8"), text.encode("utf-16")):
        _check(encoded, filename, hint)


@settings(max_examples=200)
@given(
    speakers=st.lists(
        st.text(
            alphabet=st.characters(categories=("L", "N"), include_characters=" |-()"),
            min_size=1,
            max_size=30,
        ).filter(lambda name: name.strip() and name.strip()[0].isalpha()),
        min_size=1,
        max_size=10,
    ),
    seconds=st.lists(st.integers(min_value=0, max_value=359_999), min_size=10, max_size=10),
)
def test_zoom_cues_keep_every_speaker_and_timing(speakers, seconds):
    # Given a Zoom WebVTT file with one cue per speaker name
    def clock(total: int) -> str:
        return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}.250"

    cues = [
        f"{i + 1}\n{clock(seconds[i])} --> {clock(seconds[i] + 1)}\n{name}: words {i}"
        for i, name in enumerate(speakers)
    ]
    data = ("WEBVTT\n\n" + "\n\n".join(cues) + "\n").encode()

    # When it is parsed
    transcript = parse_transcript(data, "call.vtt")

    # Then each cue is a turn with its speaker, trimmed, and its timings
    assert [turn.speaker for turn in transcript.turns] == [name.strip() for name in speakers]
    assert [turn.start for turn in transcript.turns] == [s + 0.25 for s in seconds[: len(speakers)]]
    assert [turn.text for turn in transcript.turns] == [f"words {i}" for i in range(len(speakers))]


# --- JSON formats: structured documents, right and wrong in every field --------------------

JSON_ANY = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(("1.5", "-1", "nan", "inf", "1e999", " ", "spk_0", "spk_12", ".", "?")),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
TIMES = st.one_of(
    st.floats(min_value=0, max_value=1e6),
    st.integers(min_value=-5, max_value=10**6),
    st.floats(min_value=0, max_value=1e6).map(lambda t: f"{t:.3f}"),
)
WORDS = st.sampled_from(("hello", "there", "okay", "Ann: hi", ".", "?", "", " "))
LABELS = st.sampled_from(("spk_0", "spk_1", "spk_999999", "Ann", "", " "))


def _maybe(strategy):
    """Mostly the right kind of value, now and then any JSON value at all."""
    return st.integers(0, 9).flatmap(lambda n: JSON_ANY if n == 0 else strategy)


def _object(required: tuple[str, ...] = (), **fields):
    """A JSON object with these fields, each maybe missing (unless required) or wrong."""
    fields = {key: _maybe(value) for key, value in fields.items()}
    return st.fixed_dictionaries({key: fields.pop(key) for key in required}, optional=fields)


SENTENCES = st.lists(
    _maybe(
        _object(speaker_name=LABELS, start_time=TIMES, end_time=TIMES, text=WORDS, raw_text=WORDS)
    ),
    max_size=6,
)
FIREFLIES = st.one_of(
    _maybe(SENTENCES).map(lambda sentences: {"sentences": sentences}),
    _maybe(SENTENCES).map(lambda sentences: {"data": {"transcript": {"sentences": sentences}}}),
)
ITEMS = st.lists(
    _maybe(
        _object(
            ("alternatives", "start_time"),
            start_time=TIMES,
            end_time=TIMES,
            alternatives=st.lists(_object(content=WORDS), min_size=1, max_size=2),
            type=st.sampled_from(("pronunciation", "punctuation")),
            speaker_label=LABELS,
        )
    ),
    max_size=8,
)
AUDIO_SEGMENTS = st.lists(
    _maybe(
        _object(
            ("transcript",),
            transcript=WORDS,
            start_time=TIMES,
            end_time=TIMES,
            speaker_label=LABELS,
        )
    ),
    max_size=5,
)
SPEAKER_LABELS = _object(
    segments=st.lists(
        _maybe(_object(items=st.lists(_object(start_time=TIMES, speaker_label=LABELS)))),
        max_size=3,
    )
)
TRANSCRIBE = _object(
    items=ITEMS, audio_segments=AUDIO_SEGMENTS, speaker_labels=SPEAKER_LABELS, transcripts=JSON_ANY
).map(lambda results: {"results": results})
JSON_HINTS = st.sampled_from((None, "fireflies_json", "aws_transcribe_json", "plain"))


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.one_of(FIREFLIES, TRANSCRIBE, JSON_ANY), hint=JSON_HINTS, cut=st.booleans())
def test_near_valid_json_gives_a_transcript_or_a_rejection(document, hint, cut):
    # Given a Fireflies or Transcribe document with any value in any field, maybe cut short
    text = json.dumps(document)
    if cut:
        text = text[: len(text) // 2]

    # When it is parsed
    # Then the result is a well-formed Transcript or a TranscriptRejected, nothing else
    _check(text.encode("utf-8"), "t.json", hint)


# --- Teams .docx: generated documents and damaged ones ------------------------------------

DOCX_LINES = st.one_of(
    st.sampled_from(
        (
            "Ann   0:03",
            "Bo Li  1:02:03",
            "Ann 0:75",
            "0:0:3.120 --> 0:0:8.410",
            "00:00:03.120 --> 00:00:0x.410",
            "Ann started transcription",
            "Ann",
            "Hello there.",
            "Ann: hi",
            "",
        )
    ),
    st.text(max_size=12),
)


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(
        st.lists(DOCX_LINES, min_size=1, max_size=3).map("\n".join), max_size=10
    ).filter(
        lambda ps: all(
            "\x00" not in p and all(c.isprintable() or c in "\n\t" for c in p) for p in ps
        )
    ),
    hint=st.sampled_from((None, "teams_docx")),
)
def test_generated_word_documents_give_a_transcript_or_a_rejection(paragraphs, hint):
    # Given a Word document of header, timing and text paragraphs in any order
    # When it is parsed
    # Then the result is a well-formed Transcript or a TranscriptRejected, nothing else
    _check(_docx(paragraphs), "t.docx", hint)


DOCX_FIXTURES = [
    (FIXTURES / name).read_bytes() for name in ("teams_names.docx", "teams_timing.docx")
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fixture=st.sampled_from(DOCX_FIXTURES),
    changes=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=4),
    keep=st.floats(0.05, 1),
    filename=st.sampled_from(("t.docx", "t.bin", "t")),
    hint=st.sampled_from((None, "teams_docx")),
)
def test_damaged_word_documents_give_a_transcript_or_a_rejection(
    fixture, changes, keep, filename, hint
):
    # Given a Teams document with some bytes changed and maybe its end cut off
    data = bytearray(fixture)
    for where, value in changes:
        data[int(where * len(data))] = value
    data = bytes(data[: max(1, int(keep * len(data)))])

    # When it is parsed
    # Then the result is a well-formed Transcript or a TranscriptRejected, nothing else
    _check(data, filename, hint)
