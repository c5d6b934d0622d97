"""Issue 16: the session date from the file's own metadata, read strictly (an impossible
or ambiguous date is None, never a guess), and where it stands: a date given with the
upload wins, then the file's, then the upload day."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching.parsing import parse_transcript
from coaching.parsing.recorded_on import date_in_line, front_matter_date
from coaching.usecases.validate_and_store import validate_and_store
from tests.fakes import MemoryObjects
from tests.unit.saga_setup import ORG, SESSION, deps, step

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
MARCH_3 = dt.date(2025, 3, 3)


def _docx(*paragraphs: str, created: dt.datetime | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if created is not None:
        document.core_properties.created = created
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _fireflies(**fields: object) -> bytes:
    """The API's transcript (fixture fireflies_graphql.json) with other date fields."""
    document = json.loads((FIXTURES / "fireflies_graphql.json").read_text(encoding="utf-8"))
    document["data"]["transcript"].update(fields)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("March 3, 2025, 10:00AM", MARCH_3),  # Teams' .docx, under the title
        ("Mar 3rd 2025", MARCH_3),
        ("Monday, 3 March 2025", MARCH_3),
        ("3rd of March, 2025", MARCH_3),
        ("2025-03-03", MARCH_3),
        ("Weekly sync (2025/03/03 10:00 GMT+1) - Transcript", MARCH_3),
        ("13/04/2025", dt.date(2025, 4, 13)),  # only a day can be 13
        ("04/13/2025", dt.date(2025, 4, 13)),
        ("05.05.2025", dt.date(2025, 5, 5)),  # both readings are the same day
    ],
)
def test_a_date_is_read_in_the_spellings_exports_use(line, expected):
    assert date_in_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "03/04/2025",  # 3 April or 4 March: ambiguous
        "February 30, 2025",  # impossible
        "2025-13-01",
        "31/31/2025",
        "2025-03-03 to 2025-03-04",  # two dates: which one?
        "March 2025",  # no day
        "41m 7s",
        "1 March 1066",  # no recording is that old
        "",
    ],
)
def test_an_impossible_ambiguous_or_partial_date_is_none(line):
    assert date_in_line(line) is None


@given(st.text(max_size=80))
def test_any_line_gives_a_date_or_none_and_never_raises(line):
    assert date_in_line(line) is None or isinstance(date_in_line(line), dt.date)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_written_date_reads_back_as_itself(day):
    assert date_in_line(day.isoformat()) == day
    assert date_in_line(f"{day:%B} {day.day}, {day.year}") == day
    assert date_in_line(f"{day.day} {day:%b} {day.year}") == day


def test_a_date_in_someones_words_is_not_the_front_matter():
    lines = ["Weekly sync", "Ada: I will send it by 3 March 2025.", "Date: 4 March 2025"]
    assert front_matter_date(lines) is None
    assert front_matter_date(["Weekly sync", "Date: 3 March 2025", "Ada: Hello."]) == MARCH_3


def test_a_teams_document_is_dated_by_the_line_under_its_title():
    transcript = parse_transcript((FIXTURES / "teams_names.docx").read_bytes(), "call.docx")
    assert (transcript.format, transcript.recorded_on) == ("teams_docx", MARCH_3)


def test_a_word_document_without_a_date_line_is_dated_by_its_creation_day():
    lines = ("Weekly coaching", "Ada Lind   0:03", "Hello.", "Bo Berg   0:09", "Hi.")
    created = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
    assert parse_transcript(_docx(*lines, created=created), "a.docx").recorded_on == MARCH_3
    # The date under the title wins over the day the document was written.
    dated = ("Weekly coaching", "February 27, 2025, 4:00PM", *lines[1:])
    assert parse_transcript(_docx(*dated, created=created), "a.docx").recorded_on == dt.date(
        2025, 2, 27
    )


def test_python_docx_s_template_stamp_is_no_creation_day():
    # Every fixture written by make_docx.py carries the template's 2013 date: not a session.
    for name in ("teams_timing.docx", "meet.docx", "rev.docx"):
        assert parse_transcript((FIXTURES / name).read_bytes(), name).recorded_on is None


def test_a_meet_transcript_is_dated_by_the_line_under_its_title():
    text = (FIXTURES / "meet.txt").read_text(encoding="utf-8")
    title, rest = text.split("\n", 1)
    dated = f"{title}\nMar 3, 2025\n{rest}".encode()
    transcript = parse_transcript(dated, "meet.txt")
    assert (transcript.format, transcript.recorded_on) == ("meet_txt", MARCH_3)
    assert parse_transcript(text.encode(), "meet.txt").recorded_on is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"dateString": "2025-03-03T10:00:00.000Z"}, MARCH_3),
        ({"date": 1740996000000}, MARCH_3),  # 2025-03-03T10:00Z in milliseconds
        ({"date": "2025-03-03T10:00:00Z"}, MARCH_3),
        ({"dateString": "not a date", "date": 1740996000000}, MARCH_3),
        ({"dateString": "yesterday"}, None),
        ({"date": -1e30}, None),
        ({"date": True}, None),
        ({}, None),
    ],
)
def test_a_fireflies_api_transcript_is_dated_by_its_date_fields(fields, expected):
    transcript = parse_transcript(_fireflies(**fields), "call.json")
    assert transcript.recorded_on == expected


@pytest.mark.parametrize(
    "fixture",
    [
        "fireflies_app.json",  # the app's bare sentence list has no date
        "transcribe.json",
        "teams_meeting.vtt",
        "zoom_tab.txt",
        "otter.txt",
        "rev.txt",
        "descript.txt",
    ],
)
def test_formats_that_carry_no_date_give_none(fixture):
    assert parse_transcript((FIXTURES / fixture).read_bytes(), fixture).recorded_on is None


# Where the file's date stands: validate_and_store stores it as the session's date.

KEY = f"transcripts/{ORG}/{SESSION}/call.json"


def _validated(data: bytes, **fields) -> dt.date | None:
    world = deps(MemoryObjects({KEY: data}), has_session=False)
    validate_and_store(world, step(KEY, **fields))
    session = world.sessions.get_session(ORG, SESSION)
    assert session is not None
    return session.session_date


def test_the_files_date_becomes_the_session_date():
    assert _validated(_fireflies(dateString="2025-03-03T10:00:00Z")) == MARCH_3


def test_a_date_given_with_the_upload_wins_over_the_files():
    given_day = dt.date(2025, 3, 5)
    data = _fireflies(dateString="2025-03-03T10:00:00Z")
    assert _validated(data, session_date=given_day) == given_day


def test_without_a_file_date_the_session_date_stays_unset_for_the_upload_day():
    assert _validated(_fireflies()) is None


def test_a_file_date_after_the_upload_is_a_wrong_clock_and_ignored():
    assert _validated(_fireflies(dateString="2099-01-01T10:00:00Z")) is None
