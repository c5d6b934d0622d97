"""JSON transcripts: reading the document, and the checks on its values both formats need.

Messages name the place of a bad value (which sentence, which item and which field) but
never the value itself, which may be transcript text.
"""

from __future__ import annotations

import json
import math

from coaching.domain.errors import TranscriptRejected
from coaching.parsing.messages import rejected, supported_list

HINT = (
    "Upload the JSON export of a Fireflies transcript (with its sentences) or the output "
    "of an Amazon Transcribe job as it is, or the transcript as .vtt or .srt."
)


def loads_or_none(text: str) -> object | None:
    """The document, or None if the text is not JSON; for format detection."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def load(text: str, name: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise rejected(
            f"{name} is not valid JSON: it breaks off at line {error.lineno}, "
            f"column {error.colno}.",
            hint=HINT,
        ) from error
    except (ValueError, RecursionError) as error:  # too deep, or a number too long
        raise rejected(f"{name} could not be read as JSON.", hint=HINT) from error


def not_a_transcript(name: str) -> TranscriptRejected:
    return rejected(
        f"{name} is JSON but neither a Fireflies nor an Amazon Transcribe transcript. "
        f"Supported formats: {supported_list()}.",
        hint=HINT,
    )


def member(value: object, *path: str) -> object | None:
    """value[path[0]][path[1]]..., or None where a step is missing or not an object."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def seconds_or_none(value: object) -> float | None:
    """A time in seconds, written as a number or a string ('12.34'); None if unreadable."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def seconds(value: object, name: str, where: str, field: str) -> float | None:
    """A time in seconds, None if absent; TranscriptRejected if present and unreadable."""
    if value is None:
        return None
    number = seconds_or_none(value)
    if number is None:
        raise rejected(f"{name}: {where} has an invalid {field}.", hint=HINT)
    return number


def string(value: object, name: str, where: str, field: str) -> str | None:
    """A string field, None if absent; TranscriptRejected if it holds something else."""
    if value is None or isinstance(value, str):
        return value
    raise rejected(f"{name}: {where} has an invalid {field}.", hint=HINT)
