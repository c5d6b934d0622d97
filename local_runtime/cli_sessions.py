"""`coach sessions`: fix whose a session is (one processed before its coach had an account)."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Annotated

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error

sessions = typer.Typer(help="Sessions: assign one to its coach.", no_args_is_help=True)


@sessions.command(
    epilog="Example: coach sessions assign 3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71 "
    "--coach-email coach@example.com"
)
def assign(
    ctx: typer.Context,
    session_id: Annotated[uuid.UUID, typer.Argument(help="The session's id")],
    coach_email: Annotated[
        str, typer.Option("--coach-email", help="The email of the coach's account")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Make SESSION_ID the session of the coach with this email: they (and their lead) see it
    from then on. Audited."""
    from coaching.usecases.session_coach import assign_session

    platform = coach_context(ctx).platform()
    org = platform.settings.default_organization_id
    with exit_on_coaching_error(as_json):
        coach_id = assign_session(
            platform.deps,
            platform.ports.audit_log,
            org,
            session_id,
            coach_email,
            actor="system:coach-sessions-assign",
            source="cli",
        )
    if as_json:
        sys.stdout.write(
            json.dumps({"session_id": str(session_id), "coach_id": str(coach_id)}) + "\n"
        )
        return
    typer.echo(f"Session {session_id} is now the session of {coach_email}.")
