"""The `coach` command as a new user first meets it: accurate help with examples, a version,
bad input refused before anything starts, errors as JSON with --json, and the warnings and
priority reasons of the readable report (issue 13)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coaching.analysis.offline import FALLING_SENTIMENT_REASON, priority_reasons, priority_score
from coaching.config import Settings
from coaching.domain.results import ActionItem, ClientSummary, Item
from coaching.parsing import FORMAT_LABELS, SUPPORTED_FORMATS
from local_runtime import cli_context
from local_runtime.cli import app
from local_runtime.cli_context import CoachContext
from local_runtime.process_report import (
    add_priority_reasons,
    duplicate_warning,
    print_report,
    session_warnings,
)

runner = CliRunner()


def _help(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):  # a group (Typer's own Click, or Click's)
            found += _commands(command, path)
        else:
            found.append(path)
    return found


ALL_COMMANDS = _commands(typer.main.get_group(app))


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_every_command_shows_flags_as_flags(command):
    # When any command's help is shown
    text = _help(*command)
    # Then no flag is shown as taking a value, --help included
    assert "<bool>" not in text
    assert "--help" in text


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_every_command_shows_an_example(command):
    assert "Example" in _help(*command)


def test_the_top_level_help_gives_an_example_and_the_exit_codes():
    text = _help()
    assert "Example" in text and "Exit codes" in text


def test_process_lists_every_format_the_parsers_read():
    # (the help's table borders taken out, its wrapped lines joined)
    text = " ".join(_help("process").replace("│", " ").split())
    # Every format of the parsing registry, by what people call it, and as a --format choice
    for label in FORMAT_LABELS.values():
        assert " ".join(label.split()) in text, label
    process = typer.main.get_group(app).commands["process"]
    forced = next(p for p in process.params if p.name == "source_format")
    assert [str(c.value) for c in forced.type_descriptor.choices] == list(SUPPORTED_FORMATS)
    assert "<vtt|srt|sbv|" in text.replace(" ", "")  # listed in --format's help
    assert "(.vtt, .srt, .txt)" not in text


def test_a_prompted_password_is_not_shown_as_required():
    row = next(line for line in _help("users", "add").splitlines() if "--password" in line)
    assert "required" not in row


def test_version_prints_the_installed_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"coach \S+.*\n", result.output)


@pytest.fixture
def no_platform(monkeypatch, tmp_path) -> CoachContext:
    """A context whose platform must not start: the input is refused before it."""

    def refused(*args, **kwargs):
        raise AssertionError("the platform was started for input refused up front")

    monkeypatch.setattr(CoachContext, "platform", refused)
    monkeypatch.setattr(
        "local_runtime.embedded_postgres.start_in_background",
        lambda *args: (_ for _ in ()).throw(AssertionError("the database was started")),
    )
    return CoachContext(Settings(home=tmp_path / "home"))


def test_an_empty_file_is_refused_before_anything_starts(no_platform, tmp_path):
    # Given an empty transcript
    empty = tmp_path / "empty.vtt"
    empty.write_bytes(b"")
    # When it is processed, for people and for scripts
    human = runner.invoke(app, ["process", str(empty)], obj=no_platform)
    script = runner.invoke(app, ["process", str(empty), "--json"], obj=no_platform)
    # Then both are refused (exit 1) without starting the platform: one line on stderr, or
    # one error object in the API's shape on stdout
    assert human.exit_code == 1
    assert human.stdout == ""
    assert human.stderr.startswith("error: empty.vtt is empty.")
    assert script.exit_code == 1
    error = json.loads(script.stdout)["error"]
    assert error["code"] == "COACH_422"
    assert error["message"].startswith("empty.vtt is empty.")
    assert error["details"] == {}


def test_a_missing_path_exits_1_as_the_readme_says(no_platform, tmp_path):
    missing = tmp_path / "nowhere.vtt"
    human = runner.invoke(app, ["process", str(missing)], obj=no_platform)
    assert human.exit_code == 1
    assert "does not exist" in human.stderr
    script = runner.invoke(app, ["process", str(missing), "--json"], obj=no_platform)
    assert script.exit_code == 1
    assert json.loads(script.stdout)["error"]["code"] == "COACH_404"


def test_unparseable_and_nameless_transcripts_are_refused_up_front(no_platform, tmp_path):
    broken = tmp_path / "broken.srt"
    broken.write_text("1\n00:00:01,000 --> nonsense\nhello\n", encoding="utf-8")
    nameless = tmp_path / "nameless.vtt"
    nameless.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello there\n", encoding="utf-8")
    for path, words in [(broken, "broken.srt"), (nameless, "no speaker names")]:
        result = runner.invoke(app, ["process", str(path), "--json"], obj=no_platform)
        assert result.exit_code == 1, result.output
        assert words in json.loads(result.stdout)["error"]["message"]


def test_a_directory_and_an_unknown_format_are_refused(no_platform, tmp_path):
    folder = runner.invoke(app, ["process", str(tmp_path)], obj=no_platform)
    assert folder.exit_code == 1 and "is not a file" in folder.stderr
    sample = tmp_path / "a.txt"
    sample.write_text("Ann: hi\nBen: hello\n", encoding="utf-8")
    unknown = runner.invoke(app, ["process", str(sample), "--format", "pdf"], obj=no_platform)
    assert unknown.exit_code == 2  # wrong usage, listing the choices
    assert "teams_docx" in unknown.stderr


def test_wrong_usage_with_json_is_an_error_object_on_stdout_with_exit_2(no_platform):
    # A bad date, and a missing argument, for a script
    for args in (["process", "x.vtt", "--json", "--date", "26/11/2026"], ["process", "--json"]):
        result = runner.invoke(app, args, obj=no_platform)
        assert result.exit_code == 2, result.output
        error = json.loads(result.stdout)["error"]
        assert error["code"] == "COACH_400" and error["message"]
    # Without --json: Click's own message on stderr, nothing on stdout
    human = runner.invoke(app, ["process", "x.vtt", "--date", "26/11/2026"], obj=no_platform)
    assert human.exit_code == 2 and human.stdout == "" and "--date" in human.stderr


def test_a_domain_error_with_json_is_one_error_object(capsys):
    from coaching.domain.errors import NotFound

    with pytest.raises(typer.Exit) as ended, cli_context.exit_on_coaching_error(as_json=True):
        raise NotFound("Session x does not exist.", hint="Check the id.")
    assert ended.value.exit_code == 1
    assert json.loads(capsys.readouterr().out) == {
        "error": {
            "code": "COACH_404",
            "message": "Session x does not exist. Check the id.",
            "details": {},
        }
    }


# -- the report -----------------------------------------------------------------------


def _person(name: str, role: str, **extra) -> dict:
    person = {
        "name": name,
        "role": role,
        "speaking_share": 0.25,
        "turns": 3,
        "word_count": 40,
        "engagement_level": "high",
        "breakthrough_detected": False,
        "priority_score": 0.0,
        "summary": None,
    }
    return {**person, **extra}


def _result(*people: dict, **extra) -> dict:
    result = {
        "session_id": "s-1",
        "coach_id": "c-1",
        "source": "call.vtt",
        "status": "completed",
        "format": "vtt",
        "timing": "cues",
        "session_type": None,
        "session_date": None,
        "coach": "Maya Chen",
        "coach_confidence": 0.9,
        "coach_source": "facilitation",
        "session_summary": "The session was about focus.",
        "participants": list(people),
        "duplicate_of": None,
    }
    return {**result, **extra}


def _codes(warnings: list[dict]) -> list[str]:
    return [w["code"] for w in warnings]


def test_a_low_confidence_coach_guess_is_a_warning():
    guessed = _result(
        _person("Maya Chen", "coach"), _person("Ann", "client"), coach_confidence=0.31
    )
    warnings = session_warnings(guessed, "coach@example.com")
    assert _codes(warnings) == ["coach_guessed"]
    assert "0.31" in warnings[0]["message"] and "--coach" in warnings[0]["message"]
    confident = _result(_person("Maya Chen", "coach"), _person("Ann", "client"))
    assert session_warnings(confident, "coach@example.com") == []


def test_a_one_to_one_of_four_speakers_and_a_single_speaker_are_warnings():
    four = [_person(n, "client") for n in ("Ann", "Ben", "Cy")] + [_person("Maya", "coach")]
    one_to_one = _result(*four, session_type="individual")
    assert "type_mismatch" in _codes(session_warnings(one_to_one, None))
    assert "type_mismatch" not in _codes(session_warnings(_result(*four), None))
    alone = _result(_person("Maya", "coach"), _person("Unknown speaker", "unknown"))
    assert "single_speaker" in _codes(session_warnings(alone, None))


def test_a_session_of_no_coach_says_how_to_assign_it():
    unowned = _result(_person("Maya", "coach"), _person("Ann", "client"), coach_id=None)
    warnings = session_warnings(unowned, "coach@example.com")
    assert _codes(warnings) == ["no_coach_account"]
    assert "coach sessions assign" in warnings[0]["message"]


def test_options_ignored_on_same_content_are_said_with_the_way_to_apply_them():
    earlier = _result(duplicate_of="s-0", session_type="group", session_date=None)
    requested = {"session_type": "group", "session_date": "2026-11-26", "coach": None}
    ignored = duplicate_warning(earlier, requested, reprocessed=False)
    assert ignored is not None and ignored["code"] == "duplicate_options_ignored"
    assert "--date" in ignored["message"] and "--reprocess" in ignored["message"]
    assert "--type" not in ignored["message"]  # the session has that type already
    same = duplicate_warning(earlier, {"session_type": "group"}, reprocessed=False)
    assert same is not None and same["code"] == "duplicate"
    assert duplicate_warning(_result(), requested, reprocessed=False) is None


def test_priority_reasons_name_what_raised_the_score():
    stuck = ClientSummary(challenges=[Item(text="stuck", evidence=[1])])
    score = priority_score("low", stuck, breakthrough=False)
    assert priority_reasons("low", stuck, False, score) == [
        "said they feel stuck or overwhelmed",
        "raised challenges without committing to an action",
        "low engagement",
        "no action item agreed",
        "no win or breakthrough",
    ]
    committed = ClientSummary(
        wins=[Item(text="did it", evidence=[1])],
        action_items=[ActionItem(text="will do", evidence=[2])],
    )
    assert priority_reasons("high", committed, False, 0.0) == []
    # Falling sentiment is not stored: it is what the score holds beyond the other reasons
    falling = priority_score("high", committed, False, falling_sentiment=True)
    assert priority_reasons("high", committed, False, falling) == [FALLING_SENTIMENT_REASON]


def test_the_readable_report_has_headers_summaries_priorities_and_warnings():
    from rich.console import Console

    client = _person(
        "Priya Nair",
        "client",
        priority_score=0.1,
        summary={
            "wins": [],
            "challenges": [{"text": "I feel [overwhelmed] most afternoons.", "evidence": [3]}],
            "action_items": [
                {"text": "I will ask on Monday.", "evidence": [4], "due": "2026-11-30"}
            ],
            "coach_recommendations": [],
        },
    )
    result = _result(_person("Maya Chen", "coach"), client, timing="estimated")
    add_priority_reasons(result)
    result["warnings"] = [{"code": "x", "message": "Check [this]."}]
    console = Console(record=True, width=120, color_system=None)
    print_report(result, console)
    text = console.export_text()
    for header in ("Participants", "Name", "Role", "Speaking", "Engagement", "Overview"):
        assert header in text
    assert "Follow-up priority" in text and "no win or breakthrough" in text
    assert "I feel [overwhelmed] most afternoons." in text  # brackets are text, not markup
    assert "(due 2026-11-30)" in text
    assert "estimated from word counts" in text and "timing from estimated" not in text
    assert "warning: Check [this]." in text


# -- settings -------------------------------------------------------------------------


def test_the_drop_folder_lives_under_an_explicit_home(monkeypatch, tmp_path):
    monkeypatch.delenv("COACH_DROPBOX", raising=False)
    monkeypatch.delenv("COACH_HOME", raising=False)
    assert Settings().dropbox == Path("dropbox")
    monkeypatch.setenv("COACH_HOME", str(tmp_path))
    assert Settings().dropbox == tmp_path / "dropbox"
    monkeypatch.setenv("COACH_DROPBOX", str(tmp_path / "elsewhere"))
    assert Settings().dropbox == tmp_path / "elsewhere"


def test_serve_takes_an_explicit_drop_folder(monkeypatch, tmp_path):
    served = []
    monkeypatch.setattr(
        "local_runtime.server.run_server",
        lambda settings, host, port, workers: served.append(settings),
    )
    context = CoachContext(Settings(home=tmp_path / "home"))
    result = runner.invoke(app, ["serve", "--dropbox", str(tmp_path / "in")], obj=context)
    assert result.exit_code == 0, result.output
    assert served[0].dropbox == tmp_path / "in"


def test_progress_is_shown_on_a_terminal_only_and_never_with_json(monkeypatch, capsys):
    from rich.console import Console

    from local_runtime.cli_progress import progress_on_stderr

    # On a terminal: the spinner draws on stderr, and stdout stays clean
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    with progress_on_stderr() as step:
        step("Processing call.vtt")
    drawn = capsys.readouterr()
    assert drawn.out == "" and drawn.err != ""
    # With --json (enabled=False), or when stderr is not a terminal: nothing at all
    with progress_on_stderr(enabled=False) as step:
        step("Processing call.vtt")
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: False))
    with progress_on_stderr() as step:
        step("Processing call.vtt")
    assert capsys.readouterr() == ("", "")


def test_users_add_offers_a_persons_roles_only():
    # (the service role is an API key's: `users add` would refuse it)
    users = typer.main.get_group(app).commands["users"].commands["add"]
    role = next(p for p in users.params if p.name == "role")
    assert [str(c.value) for c in role.type_descriptor.choices] == [
        "coach",
        "coach_lead",
        "admin",
        "support",
    ]
