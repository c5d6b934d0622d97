"""Amazon Transcribe's job output (JSON), with speaker labels.

Words are results.items: {start_time, end_time, alternatives: [{content}], type:
pronunciation | punctuation, speaker_label?}; older output gives the speakers only in
results.speaker_labels.segments[].items, matched to the words by start time. Output
without items may still have results.audio_segments [{transcript, start_time, end_time,
speaker_label}]. A job run with channel identification instead of speaker labels marks
each word with a channel_label, and may give its words only per channel, in
results.channel_labels.channels[].items. Times are strings of seconds.

A Call Analytics job writes its turns instead: Transcript [{ParticipantRole: AGENT |
CUSTOMER, Content, BeginOffsetMillis, EndOffsetMillis, Sentiment, ...}], shown as 'Agent'
and 'Customer'.

The source has no cues, so a turn is a contiguous run of one speaker's words (or
segments); without speaker or channel labels, a sentence. 'spk_0' is shown as
'Speaker 1', 'ch_0' as 'Channel 1'.
"""

from __future__ import annotations

import re

from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn
from coaching.parsing import json_doc
from coaching.parsing.messages import rejected
from coaching.parsing.turns import Draft, number_turns

_SPEAKER_LABEL = re.compile(r"spk_(\d{1,6})")
_CHANNEL_LABEL = re.compile(r"ch_(\d{1,6})")
_SENTENCE_END = frozenset(".?!")
_RESULT_KEYS = ("items", "audio_segments", "speaker_labels", "channel_labels", "transcripts")


def is_transcribe_output(document: object) -> bool:
    results = json_doc.member(document, "results")
    if isinstance(results, dict) and any(key in results for key in _RESULT_KEYS):
        return True
    return _analytics_turns(document) is not None


def _analytics_turns(document: object) -> list | None:
    """A Call Analytics output's Transcript, if the document is one: a list whose first
    entry has a ParticipantRole and Content."""
    turns = json_doc.member(document, "Transcript")
    if not isinstance(turns, list) or not turns:
        return None
    first = turns[0]
    return (
        turns if isinstance(first, dict) and {"ParticipantRole", "Content"} <= set(first) else None
    )


def parse(text: str, name: str) -> list[Turn]:
    document = json_doc.load(text, name)
    if not is_transcribe_output(document):
        raise json_doc.not_a_transcript(name)
    analytics = _analytics_turns(document)
    items = json_doc.member(document, "results", "items") or _channel_items(
        json_doc.member(document, "results", "channel_labels", "channels"), name
    )
    segments = json_doc.member(document, "results", "audio_segments")
    if analytics is not None:
        drafts = _analytics_drafts(analytics, name)
    elif items:
        labels = _labels_by_start(json_doc.member(document, "results", "speaker_labels"))
        drafts = _word_drafts(_list(items, "items", name), labels, name)
    elif segments:
        drafts = _segment_drafts(_list(segments, "audio_segments", name), name)
    else:
        drafts = []
    turns = number_turns(drafts)
    if not turns:
        raise rejected(
            f"{name} is an Amazon Transcribe result without any words.", hint=json_doc.HINT
        )
    return turns


def _list(value: object, field: str, name: str) -> list:
    if not isinstance(value, list):
        raise rejected(f"{name}: its results' {field} are not a list.", hint=json_doc.HINT)
    return value


def _word_drafts(items: list, labels: dict[float, str], name: str) -> list[Draft]:
    drafts: list[Draft] = []
    current: Draft | None = None
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if not isinstance(item, dict):
            raise rejected(f"{name}: {where} is not an object.", hint=json_doc.HINT)
        word = _content(item, name, where)
        if item.get("type") == "punctuation":
            if current is not None and word:
                current.lines[-1] += word
                if current.speaker == UNKNOWN_SPEAKER and word[-1] in _SENTENCE_END:
                    current = None  # without speakers, a turn is a sentence
            continue
        if not word:
            continue
        start = json_doc.seconds(item.get("start_time"), name, where, "start_time")
        end = json_doc.seconds(item.get("end_time"), name, where, "end_time")
        speaker = _speaker(item.get("speaker_label"), name, where)
        if speaker is None and start is not None:
            speaker = labels.get(start)
        if speaker is None:
            speaker = _speaker(item.get("channel_label"), name, where, "channel_label")
        speaker = speaker or UNKNOWN_SPEAKER
        if current is None or current.speaker != speaker:
            current = Draft(speaker=speaker, start=start)
            drafts.append(current)
        current.lines.append(word)
        current.end = end if end is not None else current.end
    return drafts


def _segment_drafts(segments: list, name: str) -> list[Draft]:
    drafts: list[Draft] = []
    for number, segment in enumerate(segments, start=1):
        where = f"audio segment {number}"
        if not isinstance(segment, dict):
            raise rejected(f"{name}: {where} is not an object.", hint=json_doc.HINT)
        words = json_doc.string(segment.get("transcript"), name, where, "transcript")
        if not (words or "").strip():
            continue
        start = json_doc.seconds(segment.get("start_time"), name, where, "start_time")
        end = json_doc.seconds(segment.get("end_time"), name, where, "end_time")
        speaker = _speaker(segment.get("speaker_label"), name, where) or UNKNOWN_SPEAKER
        previous = drafts[-1] if drafts else None
        if previous is not None and speaker != UNKNOWN_SPEAKER and previous.speaker == speaker:
            previous.lines.append(words or "")
            previous.end = end if end is not None else previous.end
        else:
            drafts.append(Draft(speaker=speaker, start=start, end=end, lines=[words or ""]))
    return drafts


def _analytics_drafts(turns: list, name: str) -> list[Draft]:
    drafts: list[Draft] = []
    for number, turn in enumerate(turns, start=1):
        where = f"turn {number}"
        if not isinstance(turn, dict):
            raise rejected(f"{name}: {where} is not an object.", hint=json_doc.HINT)
        words = json_doc.string(turn.get("Content"), name, where, "Content") or ""
        role = json_doc.string(turn.get("ParticipantRole"), name, where, "ParticipantRole")
        start, end = (
            _millis(turn.get(field), name, where, field)
            for field in ("BeginOffsetMillis", "EndOffsetMillis")
        )
        speaker = (role or "").strip().replace("_", " ").capitalize() or UNKNOWN_SPEAKER
        drafts.append(Draft(speaker=speaker, start=start, end=end, lines=[words]))
    return drafts


def _millis(value: object, name: str, where: str, field: str) -> float | None:
    milliseconds = json_doc.seconds(value, name, where, field)
    return None if milliseconds is None else milliseconds / 1000


def _content(item: dict, name: str, where: str) -> str:
    alternatives = item.get("alternatives")
    if not isinstance(alternatives, list) or not alternatives:
        raise rejected(f"{name}: {where} has no alternatives.", hint=json_doc.HINT)
    best = alternatives[0]
    if not isinstance(best, dict):
        raise rejected(f"{name}: {where} has an invalid alternative.", hint=json_doc.HINT)
    return (json_doc.string(best.get("content"), name, where, "content") or "").strip()


def _speaker(label: object, name: str, where: str, field: str = "speaker_label") -> str | None:
    label = json_doc.string(label, name, where, field)
    if label is None:
        return None
    return _shown(label)


def _shown(label: str) -> str | None:
    """'spk_0' as 'Speaker 1', 'ch_0' as 'Channel 1'; any other label as written."""
    label = label.strip()
    if match := _SPEAKER_LABEL.fullmatch(label):
        return f"Speaker {int(match.group(1)) + 1}"
    if match := _CHANNEL_LABEL.fullmatch(label):
        return f"Channel {int(match.group(1)) + 1}"
    return label or None


def _channel_items(channels: object, name: str) -> list:
    """The words of every channel in the order they were said.

    Each channel's items are in its own time order; a punctuation item has no time and
    goes with the word before it, so words are merged with their punctuation attached.
    """
    if channels is None:
        return []
    runs: list[tuple[float, int, list]] = []  # (start, order in file, word + punctuation)
    for channel in _list(channels, "channels", name):
        items = json_doc.member(channel, "items")
        run: list | None = None
        for item in _list(items, "channel items", name) if items is not None else []:
            start = json_doc.seconds_or_none(json_doc.member(item, "start_time"))
            if start is None and run is not None:
                run.append(item)
            else:
                run = [item]
                runs.append((start or 0.0, len(runs), run))
    runs.sort(key=lambda run: run[:2])
    return [item for _, _, run in runs for item in run]


def _labels_by_start(speaker_labels: object) -> dict[float, str]:
    """Older output: each word's speaker, by its start time, from the speaker segments.

    Entries that cannot be read are passed over: the words themselves are checked.
    """
    segments = json_doc.member(speaker_labels, "segments")
    labels: dict[float, str] = {}
    for segment in segments if isinstance(segments, list) else []:
        words = json_doc.member(segment, "items")
        for word in words if isinstance(words, list) else []:
            start = json_doc.seconds_or_none(json_doc.member(word, "start_time"))
            label = json_doc.member(word, "speaker_label")
            shown = _shown(label) if isinstance(label, str) else None
            if start is not None and shown is not None:
                labels[start] = shown
    return labels
