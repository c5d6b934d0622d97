"""What embedding a session costs the pipeline: the local model over one QMSum meeting's
passages (the real passage builder), for each token cut-off and batch size.

    .venv/bin/python bench/search_embedding.py [--data ../shared/data/qmsum] [--meetings 2]

Prints passages/s and seconds per meeting for each setting, and how far the 128-token
vectors are from the 256-token ones (cosine); asserts nothing. One intra-op thread, as the
adapter runs it.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import uuid
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))
sys.path.insert(0, str(REPO))

from bench.search import DEFAULT_DATA, load_meetings  # noqa: E402
from coaching.domain.session import SessionRecord  # noqa: E402

SETTINGS = ((256, 32), (256, 16), (256, 64), (128, 32), (128, 64))


def passage_texts(meeting) -> list[str]:
    from coaching.search.passages import build_passages

    session_id = uuid.uuid4()
    record = SessionRecord(
        id=session_id,
        organization_id=uuid.uuid4(),
        source_name=f"{meeting.name}.json",
        transcript_key=f"bench/{session_id}",
        content_sha256=hashlib.sha256(meeting.name.encode()).hexdigest(),
    )
    return [p.text for p in build_passages(record, meeting.transcript, [], {}, {})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--meetings", type=int, default=2)
    args = parser.parse_args()
    from coaching.adapters.local import embedder as local

    meetings = load_meetings(args.data)
    meetings = meetings[:: max(1, len(meetings) // args.meetings)][: args.meetings]
    texts = [passage_texts(meeting) for meeting in meetings]
    count = sum(len(t) for t in texts)
    print(f"{len(meetings)} meetings, {count} passages")
    reference: list[np.ndarray] = []
    for max_tokens, batch_size in SETTINGS:
        local.MAX_TOKENS = max_tokens
        model = local.LocalEmbedder(batch_size=batch_size)
        model.embed(["warm up"])
        began = time.perf_counter()
        vectors = [np.asarray(model.embed(t)) for t in texts]
        seconds = time.perf_counter() - began
        if not reference:
            reference = vectors
        agreement = np.mean(
            [(a * b).sum(axis=1).mean() for a, b in zip(vectors, reference, strict=True)]
        )
        print(
            f"max {max_tokens:3} tokens, batch {batch_size:2}: {count / seconds:6.1f} passages/s,"
            f" {seconds / len(meetings):5.1f} s a meeting, cosine to 256/32 {agreement:.3f}"
        )


if __name__ == "__main__":
    main()
