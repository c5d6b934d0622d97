"""What a fresh interpreter imports to run the platform: checked in a subprocess, so it lives
here rather than in tests/unit (which starts no process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.integration


def test_the_runtime_needs_neither_scikit_learn_nor_scipy():
    # Given a fresh interpreter that classifies a session
    code = textwrap.dedent(
        """
        import sys
        from coaching.analysis.talk import label_turns
        from coaching.domain.transcript import Transcript, Turn
        turns = [Turn(index=0, speaker="A", text="How are you?"),
                 Turn(index=1, speaker="B", text="I will stop drinking.")]
        labels = label_turns(Transcript(format="plain", turns=turns), coach="A")
        assert labels[0].behaviour and labels[1].talk_type
        print(sorted(m for m in sys.modules if m.split(".")[0] in {"sklearn", "scipy", "torch"}))
        """
    )
    # When it runs
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    # Then neither scikit-learn, scipy nor torch was imported
    assert result.stdout.strip() == "[]"
