"""When two spellings name the same person."""

from __future__ import annotations

import re

_TITLES = re.compile(r"^(dr|mr|mrs|ms|miss|mx|prof|professor|coach)\.?\s+", re.IGNORECASE)


def name_key(name: str) -> str:
    """The comparable form of a name: no title, single spaces, case-folded."""
    collapsed = " ".join(name.split())
    return _TITLES.sub("", collapsed).casefold()
