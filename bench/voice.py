"""Voice learning: does the next draft come closer to what the coach sends?

A scripted coach (tests/voice_sessions.py) edits every follow-up the same way: "Hey" and
"Cheers", deletes a stock sentence, keeps it short, adds a line of their own, writes
informally. Session after session, each draft is written in the voice learned from the
emails sent before it; printed per session: the mean word edit distance between the drafts
and what the coach sent (it should fall), and the drafts' and sent emails' mean length.

    .venv/bin/python bench/voice.py                       # the bundled samples, twice over
    .venv/bin/python bench/voice.py --data ../shared/data/zoom-vtt --sessions 12
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers"))
sys.path.insert(0, str(REPO))

from tests.samples import SAMPLE  # noqa: E402
from tests.voice_sessions import distances, summaries_of  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "transcripts"
BUNDLED = [SAMPLE, FIXTURES / "client-progress-week1.vtt", FIXTURES / "client-progress-week2.vtt"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a folder of .vtt transcripts")
    parser.add_argument("--sessions", type=int, default=6)
    args = parser.parse_args()
    files = sorted(args.data.glob("*.vtt")) if args.data else BUNDLED
    if not files:
        sys.exit(f"no .vtt files in {args.data}")
    sessions = []
    for path in (files * args.sessions)[: args.sessions]:
        clients = summaries_of(path)
        if clients:
            sessions.append((path.name, clients))
    figures = distances([clients for _, clients in sessions])
    print(f"{'session':>7} {'clients':>7} {'distance':>9}  transcript")
    for number, ((name, clients), distance) in enumerate(zip(sessions, figures, strict=True), 1):
        print(f"{number:>7} {len(clients):>7} {distance:>9.1f}  {name}")
    if figures:
        print(f"first session {figures[0]:.1f} words from what was sent, last {figures[-1]:.1f}")


if __name__ == "__main__":
    main()
