"""`coach process`'s input, checked before anything starts: a missing, empty, unreadable or
unparseable file is refused in a fraction of a second, not after the embedded database has
booted (seconds). The pipeline parses again on its own: this check only saves the wait."""

from __future__ import annotations

from pathlib import Path

from coaching.domain.errors import TranscriptRejected


class InputRefused(Exception):
    """The file cannot be processed; the message says why and what to do."""

    def __init__(self, message: str, code: str = "COACH_422") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def read_transcript_file(path: Path, max_bytes: int, format_hint: str | None = None) -> bytes:
    """The file's bytes, once they parse as a transcript with speaker names; else InputRefused
    (a missing path answers COACH_404, as the API does for what is not there)."""
    if not path.exists():
        raise InputRefused(f"{path} does not exist. Check the path and try again.", "COACH_404")
    if not path.is_file():
        raise InputRefused(f"{path} is not a file. Give the transcript file itself.")
    if path.stat().st_size > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise InputRefused(
            f"{path.name} is larger than the {limit} MB limit. Split the recording's "
            "transcript or remove attachments.",
            "COACH_413",
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputRefused(
            f"{path} cannot be read ({error.strerror}). Check its permissions."
        ) from None
    # Imported here: `coach process --help` need not load the parsers.
    from coaching.parsing import parse_transcript, require_speaker_names

    try:
        require_speaker_names(parse_transcript(data, path.name, format_hint), path.name)
    except TranscriptRejected as rejected:
        raise InputRefused(rejected.user_message()) from None
    return data
