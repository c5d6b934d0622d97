"""Exports through a real `coach serve`: the API queues the job, a worker's thread runs it,
the job is polled until done and each signed download link answers its file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.serve_harness import ServeProcess, running_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    with running_server(tmp_path_factory.mktemp("coach-serve-exports"), sample_done=True) as s:
        yield s


def test_an_export_asked_for_over_the_api_runs_and_its_files_download(server):
    # When the admin asks for a CSV export
    base = f"http://127.0.0.1:{server.port}"
    asked = httpx.post(f"{base}/v1/export/csv", json={}, headers=server.auth(), timeout=10)
    assert asked.status_code == 202, asked.text
    job = asked.json()

    # Then it runs in the background until it succeeded
    def finished():
        answer = server.get(job["links"]["self"]).json()
        return answer if answer["status"] in ("succeeded", "failed") else None

    done = server.wait_for(finished, "the export job")
    assert done["status"] == "succeeded", done["error"]
    sessions = next(f for f in done["files"] if f["entity"] == "sessions")
    assert sessions["rows"] >= 1  # the sample
    # And every link answers its file, without a token, exactly as the manifest says
    for file in done["files"]:
        answer = httpx.get(file["url"], timeout=10)
        assert answer.status_code == 200, file["path"]
        assert hashlib.sha256(answer.content).hexdigest() == file["sha256"]
        assert answer.headers["cache-control"] == "no-store, private"
    # And a link that is not one is refused
    assert httpx.get(f"{base}/exports/download/forged", timeout=10).status_code == 403
