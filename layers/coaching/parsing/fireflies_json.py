"""Fireflies.ai JSON, in the three shapes it comes in:

- the GraphQL API's transcript: 'sentences' (index, speaker_name, speaker_id, text, raw_text,
  start_time, end_time in seconds, ai_filters), under data.transcript as the API returns it,
  under transcript, or at the top level as saved from it;
- the file the Fireflies app downloads: a bare list of sentence objects, each with
  'sentence', 'startTime', 'endTime', 'speaker_name', 'speaker_id' and 'index'.

Each sentence is a turn, as a cue is in WebVTT. Times are seconds, as numbers or strings;
the app's may also be written as a clock ('01:05', '1:02:03'). The API's transcript says
when the meeting was held: `dateString` (ISO 8601) and `date` (milliseconds since the
epoch, UTC); the app's bare list says nothing of it.
"""

from __future__ import annotations

import datetime as dt

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing import json_doc
from coaching.parsing.messages import rejected
from coaching.parsing.recorded_on import from_epoch_millis, from_iso_string
from coaching.parsing.timestamps import clock_seconds
from coaching.parsing.turns import Draft, number_turns

_TRANSCRIPT_PATHS = ((), ("data", "transcript"), ("transcript",))
_SENTENCE_PATHS = tuple((*path, "sentences") for path in _TRANSCRIPT_PATHS)
# The words of a sentence, in the order they are preferred: the API's, then the app's.
_TEXT_FIELDS = ("text", "sentence", "raw_text")
_SPEAKER_FIELDS = ("speaker_name", "speaker_id")
# (API field, app field) of each time.
_START_FIELDS = ("start_time", "startTime")
_END_FIELDS = ("end_time", "endTime")


def sentences_of(document: object) -> object | None:
    """The sentences, whatever they hold, or None if the document has none.

    A bare list is the app's download only if its first entry is a sentence: it has words
    and a speaker field, so other lists of objects stay 'other JSON'.
    """
    if isinstance(document, list):
        return document if document and _is_sentence(document[0]) else None
    for path in _SENTENCE_PATHS:
        found = json_doc.member(document, *path)
        if found is not None:
            return found
    return None


def recorded_on(text: str) -> dt.date | None:
    """The day the API's transcript was held, or None (the app's list, or no readable date).
    `date` may also come as an ISO string (some API clients save it so)."""
    document = json_doc.loads_or_none(text)
    for path in _TRANSCRIPT_PATHS:
        transcript = json_doc.member(document, *path)
        if isinstance(transcript, dict) and "sentences" in transcript:
            return (
                from_iso_string(transcript.get("dateString"))
                or from_epoch_millis(transcript.get("date"))
                or from_iso_string(transcript.get("date"))
            )
    return None


def _is_sentence(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and any(field in entry for field in _TEXT_FIELDS)
        and any(field in entry for field in _SPEAKER_FIELDS)
    )


def parse(text: str, name: str) -> list[Turn]:
    sentences = sentences_of(json_doc.load(text, name))
    if sentences is None:
        raise json_doc.not_a_transcript(name)
    if not isinstance(sentences, list):
        raise rejected(f"{name}: its 'sentences' are not a list.", hint=json_doc.HINT)
    if not sentences:
        raise rejected(f"{name} has no sentences.", hint=json_doc.HINT)

    turns = number_turns([_draft(sentence, i, name) for i, sentence in enumerate(sentences, 1)])
    if not turns:
        raise rejected(f"{name} has no sentences with text.", hint=json_doc.HINT)
    return turns


def _draft(sentence: object, number: int, name: str) -> Draft:
    where = f"sentence {number}"
    if not isinstance(sentence, dict):
        raise rejected(f"{name}: {where} is not an object.", hint=json_doc.HINT)
    words = ""
    for field in _TEXT_FIELDS:
        words = json_doc.string(sentence.get(field), name, where, field) or ""
        if words.strip():
            break
    speaker = json_doc.string(sentence.get("speaker_name"), name, where, "speaker_name")
    return Draft(
        speaker=(speaker or "").strip() or UNKNOWN_SPEAKER,
        start=_time(sentence, _START_FIELDS, name, where),
        end=_time(sentence, _END_FIELDS, name, where),
        lines=[words],
    )


def _time(sentence: dict, fields: tuple[str, str], name: str, where: str) -> float | None:
    field = next((field for field in fields if sentence.get(field) is not None), fields[0])
    value = sentence.get(field)
    if isinstance(value, str) and ":" in value:
        seconds = clock_seconds(value.strip())
        if seconds is None:
            raise rejected(f"{name}: {where} has an invalid {field}.", hint=json_doc.HINT)
        return seconds
    return json_doc.seconds(value, name, where, field)
