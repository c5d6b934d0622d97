"""What the `coach export` commands share: who they are in the audit log, and `--since`."""

from __future__ import annotations

import datetime as dt

import typer

# Who a CLI export or push is by, in the audit log and the run record.
CLI_ACTOR = "system:coach-export"


def parse_since(value: str | None) -> dt.datetime | None:
    """An ISO date (midnight UTC) or date and time (UTC unless it names its zone)."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO date (2026-11-01) or date and time."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
