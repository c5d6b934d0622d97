"""Fireflies.ai JSON: 'sentences', each with speaker_name, start_time, end_time (seconds) and
text; at the top level as in the export, or under data.transcript as the GraphQL API
returns it. Each sentence is a turn, as a cue is in WebVTT.
"""

from __future__ import annotations

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing import json_doc
from coaching.parsing.messages import rejected
from coaching.parsing.turns import Draft, number_turns

_SENTENCE_PATHS = (("sentences",), ("data", "transcript", "sentences"), ("transcript", "sentences"))


def sentences_of(document: object) -> object | None:
    """The sentences member, whatever it holds, or None if the document has none."""
    for path in _SENTENCE_PATHS:
        found = json_doc.member(document, *path)
        if found is not None:
            return found
    return None


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
    words = json_doc.string(sentence.get("text"), name, where, "text")
    if not (words or "").strip():
        words = json_doc.string(sentence.get("raw_text"), name, where, "raw_text")
    speaker = json_doc.string(sentence.get("speaker_name"), name, where, "speaker_name")
    return Draft(
        speaker=(speaker or "").strip() or UNKNOWN_SPEAKER,
        start=json_doc.seconds(sentence.get("start_time"), name, where, "start_time"),
        end=json_doc.seconds(sentence.get("end_time"), name, where, "end_time"),
        lines=[words or ""],
    )
