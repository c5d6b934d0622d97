"""Properties of parse_transcript over any input: a Transcript or a TranscriptRejected, no
other exception, and well-formed turns whenever it succeeds."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import Transcript
from coaching.parsing import SUPPORTED_FORMATS, parse_transcript

HINTS = st.sampled_from((None, *SUPPORTED_FORMATS))
FILENAMES = st.sampled_from(("t.vtt", "t.srt", "t.txt", "t.sbv", "t", "dir/t.bin"))

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
        "[00:01:02] ",
        "(01:02) ",
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
