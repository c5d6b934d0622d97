"""Every fenced block of the README says how it is checked, and the checks that need no server:
each `coach` command line and option the README shows exists in the real CLI (with the
choices it lists), each `make` target exists, each JSON example fits its model. The blocks
that run are run in tests/e2e/test_readme_run_snippets.py; the ones that cannot are listed here."""

from __future__ import annotations

import importlib
import json
import re
import shlex

import pytest
import typer

from local_runtime.cli import app
from tests.readme_snippets import PLACEHOLDER, REPO_ROOT, Snippet, snippets

ALL = snippets()
SHELL = [s for s in ALL if s.is_shell]
RUN_BY_E2E = {
    "sign-in",
    "requests",
    "later-sign-in",
}  # the names tests/e2e/test_readme_run_snippets.py runs
# The blocks that cannot run here, by their first line: nothing else is left out.
NOT_RUN = {
    "make run": "`make run` is the platform the run snippets talk to",
    'coach org create "Northwind Coaching"': "needs an AWS account",
}
COMMAND = re.compile(r"^(?:\.venv/bin/)?coach(?:\s|$)")


def _id(snippet: Snippet) -> str:
    return f"README.md:{snippet.line}"


@pytest.mark.parametrize("snippet", SHELL, ids=_id)
def test_every_shell_block_says_how_it_is_checked(snippet):
    assert snippet.kind in {"run", "synopsis", "not run"}, (
        f"README.md line {snippet.line}: put <!-- run: NAME -->, <!-- synopsis: NOTE --> or "
        "<!-- not run: REASON --> on the line before the block"
    )


def test_the_run_blocks_are_the_ones_the_e2e_test_runs():
    assert {s.note for s in SHELL if s.kind == "run"} == RUN_BY_E2E


def test_the_blocks_that_are_not_run_are_these_and_say_why():
    not_run = [s for s in SHELL if s.kind == "not run"]
    assert len(not_run) == len(NOT_RUN)
    for snippet in not_run:
        assert any(snippet.text.startswith(first) for first in NOT_RUN), snippet.text
        assert snippet.note, "say why it is not run"


def test_every_other_block_is_json_for_a_model_or_plain_text():
    for snippet in ALL:
        if not snippet.is_shell:
            assert snippet.language in {"", "json", "text"}, _id(snippet)
            assert snippet.language != "json" or snippet.kind == "model", _id(snippet)


@pytest.mark.parametrize("snippet", [s for s in ALL if s.kind == "model"], ids=_id)
def test_every_json_example_fits_its_model(snippet):
    module, name = snippet.note.rsplit(".", 1)
    model = getattr(importlib.import_module(module), name)
    model.model_validate(json.loads(snippet.text))


COMMAND_LINES = [
    (snippet, line)
    for snippet in SHELL
    if snippet.kind in {"synopsis", "not run"}
    for line in snippet.commands()
    if COMMAND.match(line)
]


@pytest.mark.parametrize(
    ("snippet", "line"), COMMAND_LINES, ids=[f"{_id(s)} {line}" for s, line in COMMAND_LINES]
)
def test_each_command_line_names_real_commands_options_and_choices(snippet, line):
    # (a placeholder is one word here: `<org id>` stands for one value)
    words = shlex.split(PLACEHOLDER.sub("VALUE", line))[1:]
    command = typer.main.get_group(app)  # (Typer's own Click: groups have `commands`)
    while words and _is_group(command) and words[0] in command.commands:
        command = command.commands[words.pop(0)]
    assert not _is_group(command) or words == ["--version"], line
    options = {name: p for p in command.params for name in (*p.opts, *p.secondary_opts)}
    positional, option = 0, None
    for word in words:
        pieces = [piece for piece in word.strip("[]").split("|") if piece]
        if not pieces:  # a lone `|` between alternatives
            continue
        if pieces[0].startswith("--"):
            for piece in pieces:
                assert piece in options, f"{line}: {piece} is not an option of this command"
            option = options[pieces[0]]
            option = None if option.is_flag or option.count else option
        elif option is not None:  # the option's value: each choice shown is one of its own
            choices = getattr(option.type_descriptor, "choices", None) or ()
            if len(pieces) > 1:  # (an option without choices lists them in its help)
                listed = choices or _help_words(command, option)
                assert set(pieces) <= {str(getattr(c, "value", c)) for c in listed}, line
            option = None
        else:
            positional += 1
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    assert sum(a.required for a in arguments) <= positional <= len(arguments), line


NPM_RUN = re.compile(r"\bnpm run ([\w:-]+)")
WEB_SCRIPTS = json.loads((REPO_ROOT / "web" / "package.json").read_text("utf-8"))["scripts"]


def test_each_npm_run_names_a_script_of_the_web_app():
    named = {name for snippet in SHELL for name in NPM_RUN.findall(snippet.text)}
    assert named, "the web app's block is gone"
    assert named <= set(WEB_SCRIPTS), named - set(WEB_SCRIPTS)


def _help_words(command, option) -> set[str]:
    return set(re.findall(r"[a-z_]+", option.help or ""))


def test_every_command_of_the_cli_is_shown_in_a_readme_block():
    shown = {tuple(_command_words(line)) for _, line in COMMAND_LINES}
    for path in _commands(typer.main.get_group(app)):
        assert path in shown, f"`coach {' '.join(path)}` is in no README block"


def _command_words(line: str) -> list[str]:
    words = shlex.split(PLACEHOLDER.sub("VALUE", line))[1:]
    return [w for w in words[:2] if re.fullmatch(r"[a-z][a-z-]*", w)]


def _is_group(command) -> bool:
    return hasattr(command, "commands")


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found += _commands(command, path) if _is_group(command) else [path]
    return found


def test_every_make_target_shown_exists():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    for snippet in SHELL:
        for line in snippet.commands():
            if line.startswith("make "):
                target = line.split()[1]
                assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), line
