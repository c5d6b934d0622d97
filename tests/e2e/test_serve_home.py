"""A first hour on one home (issue 13): transcripts processed with `coach process` before the
first `coach serve` are the demo coach's there, and with COACH_HOME set every piece of local
state, the drop folder and the daily search backup included, lives under it (never
./dropbox in the checkout)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.serve_harness import SAMPLE, ServeProcess

pytestmark = pytest.mark.e2e


class HomeOnlyServe(ServeProcess):
    """A server given COACH_HOME only: the drop folder is whatever that implies."""

    def _environment(self, **extra: str) -> dict[str, str]:
        env = super()._environment(**extra)
        env.pop("COACH_DROPBOX")
        return env


def test_the_demo_coach_sees_what_the_cli_processed_and_the_drop_folder_is_under_home(
    tmp_path: Path,
):
    serve = HomeOnlyServe(tmp_path)
    try:
        # Given the bundled sample processed from the command line on a fresh home
        processed = serve.coach("process", str(SAMPLE), "--json")
        assert processed.returncode == 0, processed.stderr
        session_id = json.loads(processed.stdout)["session_id"]
        # When `coach serve` starts on that home (run from another folder, as from a checkout)
        serve.start()
        # Then the demo coach sees that session
        token = serve.sign_in("coach@example.com")
        listed = httpx.get(
            f"http://127.0.0.1:{serve.port}/v1/sessions", headers=serve.auth(token), timeout=10
        )
        assert listed.status_code == 200, listed.text
        assert session_id in [s["session_id"] for s in listed.json()["items"]]
        # And the drop folder watched is $COACH_HOME/dropbox, not ./dropbox where it ran
        assert (serve.home / "dropbox").is_dir()
        assert not (tmp_path / "dropbox").exists()
        assert f"drop folder {(serve.home / 'dropbox').resolve()}" in serve.stderr
        # And the search index's daily backup is under it, with that session's passages
        backups = serve.home / "exports" / "search-backups"
        manifest = serve.wait_for(
            lambda: next(backups.glob("date=*/manifest.json"), None), "the daily search backup"
        )
        assert json.loads(manifest.read_text())["rows"] > 0
    finally:
        serve.stop()
