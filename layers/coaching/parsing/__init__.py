"""Transcript parsers: bytes in, a Transcript out, or TranscriptRejected with a clear message."""
