"""`coach search QUERY`: after `coach process`, the question finds the moment it was said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from local_runtime.cli import app

pytestmark = pytest.mark.e2e

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
WEEK1 = TRANSCRIPTS / "client-progress-week1.vtt"
WEEK2 = TRANSCRIPTS / "client-progress-week2.vtt"
# A result in --json: the contract.
FIELDS = {"session_id", "client", "turn_index", "score", "snippet", "source", "kind", "start"}


@pytest.fixture(scope="module")
def coach(platform):
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    for path in (WEEK1, WEEK2):
        processed = run("process", str(path), "--json")
        assert processed.exit_code == 0, processed.stderr
    return run


def test_search_json_finds_the_passage_in_the_right_transcript(coach):
    # When the coach asks about answering the same questions all day
    result = coach("search", "exhausting to answer the same questions all day", "--json")
    # Then one JSON object answers, with Tomas's turn of week 1 among the first
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"results", "filters", "degraded"}
    assert all(set(found) == FIELDS for found in answer["results"])
    best = next(r for r in answer["results"][:3] if r["kind"] == "passage")
    assert best["source"] == WEEK1.name and best["client"] == "Tomas Berg"
    assert "same questions" in best["snippet"] and best["turn_index"] == 6
    assert best["start"] == pytest.approx(65.0)


def test_search_limit_and_the_coach_s_own_words_have_no_client(coach):
    result = coach("search", "what would a first small step look like", "--limit", "3", "--json")
    assert result.exit_code == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    assert 1 <= len(results) <= 3
    coach_turn = next(r for r in results if r["kind"] == "passage")
    assert coach_turn["client"] is None


def test_search_prints_a_table_by_default(coach):
    result = coach("search", "budget proposal")
    assert result.exit_code == 0, result.stderr
    assert "Snippet" in result.stdout and "budget" in result.stdout.lower()


@pytest.mark.parametrize(("args", "exit_code"), [(("--limit", "0"), 2), (("--limit", "x"), 2)])
def test_wrong_usage_is_the_error_object_with_json(coach, args, exit_code):
    result = coach("search", "budget", *args, "--json")
    assert result.exit_code == exit_code
    assert json.loads(result.stdout)["error"]["code"] == "COACH_400"
