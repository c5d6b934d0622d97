"""The bundled sample workshop, and variants of it that make sessions of their own."""

from __future__ import annotations

from pathlib import Path

SAMPLE = (
    Path(__file__).resolve().parents[1] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)


def variant(tag: str) -> bytes:
    """The sample with one more cue: other content (the duplicate check looks at the bytes),
    so it makes a session of its own."""
    extra = f"\n99\n00:10:00.000 --> 00:10:04.000\nMaya Chen: See you next week ({tag}).\n"
    return SAMPLE.read_bytes().rstrip(b"\n") + b"\n" + extra.encode("utf-8")
