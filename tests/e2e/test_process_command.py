"""`coach process` as users and other tools call it: the JSON contract and clear errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from local_runtime.cli import app

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "local_runtime" / "samples" / "team-leads-workshop.vtt"
_NAMED_CUE = re.compile(r"^([^:\n]{1,60}): ")


@pytest.fixture(scope="module")
def contract(shared_data) -> dict:
    schema_path = shared_data.parent / "design" / "contracts" / "process-output.schema.json"
    return json.loads(schema_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cli(platform):
    from coaching import composition
    from coaching.adapters.unavailable_embedder import UnavailableEmbedder

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, ["process", *args], catch_exceptions=False)

    # These runs check what `coach process` prints for some eighty real meetings, not search:
    # their passages are indexed for keywords only (embedding them all takes minutes on two
    # shared cores; tests/integration/test_search_pgvector.py covers the model's path).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(composition, "_local_embedder", UnavailableEmbedder)
        yield run


def _cue_speakers(path: Path) -> set[str]:
    """An independent reading: the name before ': ' on the first text line of each cue."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    names = set()
    for position, line in enumerate(lines):
        if "-->" in line and position + 1 < len(lines):
            match = _NAMED_CUE.match(lines[position + 1])
            names.add(match.group(1).strip() if match else "Unknown speaker")
    return names


def test_every_zoom_transcript_processes_with_the_speakers_of_its_cues(cli, shared_data, contract):
    files = sorted((shared_data / "zoom-vtt").glob("*.vtt"))
    assert files, "no Zoom transcripts found"
    for path in files:
        # When each real Zoom transcript is processed
        result = cli(str(path), "--json")
        # Then it succeeds with one valid JSON object naming exactly the cues' speakers
        assert result.exit_code == 0, (path.name, result.stderr)
        output = json.loads(result.stdout)
        jsonschema.validate(output, contract)
        # (a person who joined under two spellings is one participant with an alias)
        named = {n for p in output["participants"] for n in [p["name"], *p["aliases"]]}
        assert named == _cue_speakers(path), path.name
        assert output["format"] == "vtt"
        assert sum(p["speaking_share"] for p in output["participants"]) == pytest.approx(1.0)
        assert output["timing"] == "cues"
        coaches = [p for p in output["participants"] if p["role"] == "coach"]
        assert len(coaches) <= 1
        assert all(p["summary"] is None for p in coaches)


def test_every_format_fixture_is_processed_or_rejected_clearly(cli, shared_data, contract):
    fixtures = [
        p
        for p in sorted((shared_data / "format-fixtures").rglob("*"))
        if p.is_file() and p.name not in {"LICENSE", "SOURCE.txt"}
    ]
    for path in fixtures:
        result = cli(str(path), "--json")
        if result.exit_code == 0:
            jsonschema.validate(json.loads(result.stdout), contract)
            continue
        # A rejection is one JSON error object on stdout (issue 13: scripts read stdout),
        # naming the file, with no traceback
        assert result.exit_code == 1, (path.name, result.stderr)
        error = json.loads(result.stdout)["error"]
        assert error["code"].startswith("COACH_4"), (path.name, error)
        assert "Traceback" not in result.output
        assert path.name in error["message"]


def test_the_coach_option_names_the_coach(cli):
    # Given a group session where Jordan is named as coach
    result = cli(str(SAMPLE), "--json", "--coach", "Jordan Reyes", "--type", "group")
    # Then Jordan is the coach and Maya a client
    roles = {p["name"]: p["role"] for p in json.loads(result.stdout)["participants"]}
    assert roles["Jordan Reyes"] == "coach"
    assert roles["Maya Chen"] == "client"


def test_a_bad_date_is_a_usage_error(cli):
    result = cli(str(SAMPLE), "--date", "26/11/2026")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_the_installed_command_prints_json_and_fails_clearly(tmp_path, contract):
    # Given a fresh home and the real `coach` executable
    env = {**os.environ, "COACH_HOME": str(tmp_path / "home")}
    env.pop("COACH_DATABASE_URL", None)
    coach = Path(sys.executable).with_name("coach")
    # When it processes the sample
    ok = subprocess.run(
        [coach, "process", SAMPLE, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then stdout is exactly one JSON object matching the contract
    assert ok.returncode == 0, ok.stderr
    jsonschema.validate(json.loads(ok.stdout), contract)
    # When it is given a broken transcript
    broken = tmp_path / "broken.srt"
    broken.write_text("1\n00:00:01,000 --> nonsense\nhello\n", encoding="utf-8")
    bad = subprocess.run(
        [coach, "process", broken, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then it exits 1 with one JSON error object on stdout (issue 13), refused before
    # anything was stored (the file was checked before the platform started)
    assert bad.returncode == 1
    error = json.loads(bad.stdout)["error"]
    assert error["code"] == "COACH_422"
    assert error["message"].startswith("broken.srt")
    assert "Traceback" not in bad.stderr
    assert not list((tmp_path / "home" / "objects").rglob("broken.srt"))


FIXTURES = REPO_ROOT / "tests" / "fixtures" / "transcripts"
EXPECTED_FORMATS = {
    "coaching.sbv": "sbv",
    "fireflies.json": "fireflies_json",
    "fireflies_graphql.json": "fireflies_json",
    "meet.txt": "meet_txt",
    "otter.txt": "otter_txt",
    "sample_cp1252.txt": "plain",
    "sample_utf16.txt": "plain",
    "teams_names.docx": "teams_docx",
    "teams_timing.docx": "teams_docx",
    "transcribe.json": "aws_transcribe_json",
    "transcribe_audio_segments.json": "aws_transcribe_json",
    "zoom_tab.txt": "zoom_txt",
    "team-leads-workshop.vtt": "vtt",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FORMATS))
def test_every_format_processes_with_labelled_turns(cli, contract, name):
    path = SAMPLE if name == SAMPLE.name else FIXTURES / name
    # When a transcript of each supported format is processed with --turns
    result = cli(str(path), "--json", "--turns")
    # Then the format is detected, the output matches the contract, and every source turn
    # is there once, labelled by who spoke it
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    jsonschema.validate(output, contract)
    assert output["format"] == EXPECTED_FORMATS[name]
    assert [t["index"] for t in output["turns"]] == list(range(len(output["turns"])))
    roles = {p["name"]: p["role"] for p in output["participants"]}
    for turn in output["turns"]:
        role = roles[turn["speaker"]]
        assert (turn["talk_type"] is not None) == (role == "client"), turn
        assert (turn["behaviour"] is not None) == (role == "coach"), turn
    assert isinstance(output["session_summary"], str) and output["session_summary"]
    for person in output["participants"]:
        for items in (person["summary"] or {}).values():
            for item in items:
                assert all(0 <= i < len(output["turns"]) for i in item["evidence"])
                assert len(item["evidence_times"]) == len(item["evidence"])


def test_a_forced_format_is_used_and_an_unknown_one_is_refused(cli, tmp_path):
    # Given 'Name: text' lines saved under a subtitle extension
    notes = tmp_path / "notes.vtt"
    notes.write_text("Ann: How was it?\nBen: It went well, I finished it.\n", encoding="utf-8")
    # When the format is forced, it is used
    forced = cli(str(notes), "--json", "--format", "plain")
    assert forced.exit_code == 0, forced.stderr
    assert json.loads(forced.stdout)["format"] == "plain"
    # When a format that does not fit is forced, the file is rejected clearly
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("Ann: hello\nBen: hi\n", encoding="utf-8")
    refused = cli(str(wrong), "--json", "--format", "srt")
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"]["message"].startswith("wrong.txt")
    # When the format does not exist, the supported ones are listed
    # (with --json, as the API's error object on stdout: issue 13)
    unknown = cli(str(SAMPLE), "--json", "--format", "pdf")
    assert unknown.exit_code == 2
    message = json.loads(unknown.stdout)["error"]["message"]
    assert "vtt" in message and "teams_docx" in message
