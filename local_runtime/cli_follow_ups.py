"""`coach follow-ups`: list, send and schedule approved follow-ups, as the API does (exactly
once, the same refusals), acting as the local organization's administrator."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
import uuid
from typing import TYPE_CHECKING, Annotated, Any, get_args

import typer

from coaching.domain.sending import SendStatus
from local_runtime.cli_context import EXIT_USAGE, coach_context, exit_on_coaching_error, fail

if TYPE_CHECKING:
    from coaching.domain.identity import Principal

follow_ups = typer.Typer(
    help="Follow-up emails: list them, send one now or schedule it.", no_args_is_help=True
)
# The CLI is the local machine's owner: an administrator of the default organization.
CLI_USER = uuid.UUID("00000000-0000-0000-0000-00000000c11e")


# The --status choices: the send path's statuses, as GET /v1/follow-ups takes them.
Status = enum.StrEnum(  # type: ignore[misc]
    "Status", [(name, name) for name in get_args(SendStatus)]
)


@follow_ups.command("list", epilog="Example: coach follow-ups list --status draft")
def list_follow_ups(
    ctx: typer.Context,
    status: Annotated[
        Status | None,  # type: ignore[valid-type]
        typer.Option(help="Only follow-ups with this status"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array")] = False,
) -> None:
    """The organization's follow-ups, newest first."""
    from coaching.usecases.follow_ups import list_follow_ups as listed

    platform = coach_context(ctx).platform()
    with exit_on_coaching_error(as_json):
        items = listed(
            platform.ports.review_ports,
            _admin(ctx),
            status=status.value if status else None,
            client_id=None,
            limit=500,
            offset=0,
        )
    if as_json:
        sys.stdout.write(json.dumps(items) + "\n")
        return
    for item in items:
        reason = f"  ({item['status_reason']})" if item["status_reason"] else ""
        typer.echo(f"{item['id']}  {item['status']:<9} {item['client_name']}{reason}")
    typer.echo(f"{len(items)} follow-up(s).")


@follow_ups.command(epilog="Example: coach follow-ups send 3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71")
def send(
    ctx: typer.Context,
    follow_up_id: Annotated[uuid.UUID, typer.Argument(help="The follow-up's id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Send an approved follow-up now; sending it again sends nothing."""
    from coaching.usecases.sending import send_follow_up

    _run(ctx, as_json, lambda ports, who: send_follow_up(ports, who, follow_up_id))


@follow_ups.command(
    epilog="Example: coach follow-ups schedule 3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71 "
    "2030-01-02T09:00+01:00"
)
def schedule(
    ctx: typer.Context,
    follow_up_id: Annotated[uuid.UUID, typer.Argument(help="The follow-up's id")],
    at: Annotated[str, typer.Argument(help="When, ISO 8601 with its zone: 2030-01-02T09:00+01:00")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Send an approved follow-up at a time (`coach serve` sends it then)."""
    from coaching.usecases.sending import schedule_follow_up

    try:
        when: dt.datetime | None = dt.datetime.fromisoformat(at)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise fail(
            f"{at!r} is not a time with its zone: give it as 2030-01-02T09:00+01:00.",
            as_json=as_json,
            exit_code=EXIT_USAGE,
        )
    _run(ctx, as_json, lambda ports, who: schedule_follow_up(ports, who, follow_up_id, when))


def _run(ctx: typer.Context, as_json: bool, action: Any) -> None:
    platform = coach_context(ctx).platform()
    with exit_on_coaching_error(as_json):
        result = action(platform.ports.sending_ports, _admin(ctx))
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        reason = f" ({result['status_reason']})" if result["status_reason"] else ""
        typer.echo(
            f"Follow-up {result['id']} to {result['client_name']}: {result['status']}{reason}"
        )
    # Not sent (no address, opted out): exit 1, the follow-up and its reason printed either way.
    if result["status"] == "failed":
        raise typer.Exit(1)


def _admin(ctx: typer.Context) -> Principal:
    from coaching.domain.identity import Principal, Role

    org = coach_context(ctx).platform().settings.default_organization_id
    return Principal(user_id=CLI_USER, organization_id=org, role=Role.ADMIN)
