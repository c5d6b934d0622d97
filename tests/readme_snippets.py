"""The README's fenced shell blocks, each with the HTML comment before it that says how it is
checked, so no block goes unchecked silently:

- ``<!-- run: NAME -->``: run as it is written against a real `coach serve`
  (tests/e2e/test_readme_run_snippets.py), the placeholders (``<...>``) filled in by the test;
- ``<!-- synopsis: NOTE -->``: command lines with their options (``[--json]``), each command and
  option checked against the real CLI (tests/unit/test_readme_snippets.py);
- ``<!-- not run: REASON -->``: cannot run here (an AWS account, `make run` itself); listed by
  the unit test, and its `coach` and `make` lines are checked as a synopsis's are;
- ``<!-- model: module.Class -->`` before a JSON block: it is valid for that pydantic model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"

SHELL_LANGUAGES = frozenset({"sh", "bash", "shell", "console"})
KINDS = ("run", "synopsis", "not run", "model")
_MARKER = re.compile(r"^<!--\s*(run|synopsis|not run|model):\s*(.+?)\s*-->$")
_FENCE = re.compile(r"^```\s*(\S*)\s*$")
# A placeholder the reader fills in: `<id>`, `<printed by make run>` (not `2>&1`, `<<EOF`).
PLACEHOLDER = re.compile(r"<[A-Za-z][^<>\n]*>")


@dataclass(frozen=True)
class Snippet:
    line: int  # of the opening fence, 1-based
    language: str
    kind: str | None  # None: no marker (the unit test fails for a shell block without one)
    note: str  # the run snippet's name, the synopsis's note, or why it is not run
    text: str

    @property
    def is_shell(self) -> bool:
        return self.language in SHELL_LANGUAGES

    def commands(self) -> list[str]:
        """The block's logical lines, comments and blanks left out; a line ending in a
        backslash, or a synopsis's indented next line (more options), continues it."""
        joined = re.sub(r"(\\)?\n[ \t]+(?=\S)", " ", self.text.replace("\\\n", "\n "))
        lines = (line.split(" #", 1)[0].strip() for line in joined.splitlines())
        return [line for line in lines if line and not line.startswith("#")]


def snippets(readme: Path = README) -> list[Snippet]:
    """Every fenced block of the README, in order, with its marker (the line before it)."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        marker = _MARKER.match(lines[index - 1].strip()) if index else None
        found.append(
            Snippet(
                line=index + 1,
                language=opening.group(1),
                kind=marker.group(1) if marker else None,
                note=marker.group(2) if marker else "",
                text="\n".join(lines[index + 1 : end]) + "\n",
            )
        )
        index = end + 1
    return found


def run_snippet(name: str, readme: Path = README) -> Snippet:
    """The one block marked ``<!-- run: NAME -->``."""
    [snippet] = [s for s in snippets(readme) if s.kind == "run" and s.note == name]
    return snippet


def fill_in(text: str, values: dict[str, str]) -> str:
    """The block with its placeholders filled in; one the test has no value for fails, so
    a placeholder added to the README is never run as a literal."""
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if unknown:
        raise KeyError(f"the README snippet has placeholders the test does not fill: {unknown}")
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text
