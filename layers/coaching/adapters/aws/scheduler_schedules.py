"""Export schedules in AWS: one EventBridge Scheduler schedule per export schedule.

Each invokes the export function with the schedule's id at the schedule's cron times, in its
own time zone (the Scheduler keeps daylight saving right), in the stack's schedule group
(cdk/exports.py), the one group the API function may create schedules in, with the one role
it may pass. No flexible window: an export runs when its owner said.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.adapters.aws.lazy_client import LazyClient
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError, Unprocessable

NAME_PREFIX = "export-"
# Scheduler puts the occurrence's time here: the handler fires what was due then.
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
RETRY_ATTEMPTS = 2
MAX_EVENT_AGE_SECONDS = 60 * 60

# Standard cron counts the week from Sunday = 0 (7 too); Scheduler from Sunday = 1.
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_STEP = re.compile(r"^(?P<base>\*|[0-7A-Za-z]+(?:-[0-7A-Za-z]+)?)(?:/(?P<step>\d+))?$")


def scheduler_expression(cron: str) -> str:
    """A 5-field cron (minute hour day-of-month month day-of-week) as Scheduler's
    ``cron(minute hour day-of-month month day-of-week year)``: one of the two day fields
    is ``?`` and the days of the week are renumbered (Sunday 0 -> 1)."""
    fields = cron.split()
    if len(fields) != 5:
        raise Unprocessable("A schedule's cron has five fields.")
    minute, hour, day_of_month, month, day_of_week = fields
    if day_of_week == "*":
        day_of_week = "?"
    elif day_of_month == "*":
        day_of_month = "?"
        day_of_week = ",".join(str(day + 1) for day in sorted(_days_of_week(day_of_week)))
    else:
        raise Unprocessable(
            "A schedule can name days of the month or days of the week, not both.",
            hint='For example "0 6 1 * *" (the 1st) or "0 6 * * 1" (Mondays).',
        )
    return f"cron({minute} {hour} {day_of_month} {month} {day_of_week} *)"


def _days_of_week(field: str) -> set[int]:
    """The days (Sunday 0 ... Saturday 6) a standard day-of-week field names."""
    days: set[int] = set()
    for item in field.split(","):
        match = _STEP.match(item)
        if match is None:
            raise Unprocessable(f"{item!r} is not a day of the week Scheduler can use.")
        base, step = match["base"], int(match["step"] or 1)
        if base == "*":
            first, last = 0, 6
        else:
            first_text, _, last_text = base.partition("-")
            first = _day(first_text)
            last = _day(last_text) if last_text else (6 if match["step"] else first)
            if last_text and last == 0 and first > 0:
                last = 7  # "5-0" / "FRI-SUN": through Sunday at the end of the week
        if step < 1 or first > last:
            raise Unprocessable(f"{item!r} is not a day of the week Scheduler can use.")
        days.update(day % 7 for day in range(first, last + 1, step))
    return days


def _day(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text) % 7 if text != "7" else 0
    if text.upper() in _DAY_NAMES:
        return _DAY_NAMES.index(text.upper())
    raise Unprocessable(f"{text!r} is not a day of the week.")


@dataclass(frozen=True)
class SchedulerTarget:
    """What every export schedule invokes, and how (the stack's outputs, COACH_EXPORT_*)."""

    group: str
    function_arn: str  # the export function's live alias
    role_arn: str  # the role Scheduler assumes: may invoke that function only
    dead_letter_arn: str | None = None


class SchedulerExportSchedules:
    """Creates, replaces and deletes the Scheduler schedule of an export schedule."""

    def __init__(self, client: Any, target: SchedulerTarget | None) -> None:
        """``target`` None: a function that builds the ports but never schedules (the export
        function itself, which cannot name its own alias); it says so if asked to."""
        self._scheduler = client
        self._target_or_none = target

    @classmethod
    def from_settings(cls, settings: Settings) -> SchedulerExportSchedules:
        import boto3

        group, function = settings.export_schedule_group, settings.export_function_arn
        role = settings.export_scheduler_role_arn
        target = (
            SchedulerTarget(group, function, role, settings.export_dead_letters_arn)
            if group and function and role
            else None
        )
        return cls(LazyClient(lambda: boto3.client("scheduler")), target)

    @property
    def _target(self) -> SchedulerTarget:
        if self._target_or_none is None:
            raise ConfigurationError(
                "COACH_EXPORT_SCHEDULE_GROUP, COACH_EXPORT_FUNCTION_ARN and "
                "COACH_EXPORT_SCHEDULER_ROLE_ARN are needed to schedule exports."
            )
        return self._target_or_none

    @staticmethod
    def name_of(schedule_id: uuid.UUID) -> str:
        return f"{NAME_PREFIX}{schedule_id}"

    def put(
        self, schedule_id: uuid.UUID, *, cron: str, timezone: str, enabled: bool = True
    ) -> None:
        """Creates the schedule, or replaces it when it exists (a changed cron or zone)."""
        request = self._request(schedule_id, cron, timezone, enabled)
        try:
            try:
                self._scheduler.create_schedule(**request)
            except ClientError as error:
                if _code(error) != "ConflictException":
                    raise
                self._scheduler.update_schedule(**request)
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Scheduling an export") from error

    def delete(self, schedule_id: uuid.UUID) -> bool:
        """False when there was none (deleted already)."""
        group = self._target.group
        try:
            self._scheduler.delete_schedule(Name=self.name_of(schedule_id), GroupName=group)
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return False
            raise translate(error, "Removing an export schedule") from error
        except BotoCoreError as error:
            raise translate(error, "Removing an export schedule") from error
        return True

    def _request(
        self, schedule_id: uuid.UUID, cron: str, timezone: str, enabled: bool
    ) -> dict[str, Any]:
        target: dict[str, Any] = {
            "Arn": self._target.function_arn,
            "RoleArn": self._target.role_arn,
            "Input": json.dumps(
                {"schedule_id": str(schedule_id), "scheduled_time": SCHEDULED_TIME}
            ),
            "RetryPolicy": {
                "MaximumRetryAttempts": RETRY_ATTEMPTS,
                "MaximumEventAgeInSeconds": MAX_EVENT_AGE_SECONDS,
            },
        }
        if self._target.dead_letter_arn:
            target["DeadLetterConfig"] = {"Arn": self._target.dead_letter_arn}
        return {
            "Name": self.name_of(schedule_id),
            "GroupName": self._target.group,
            "ScheduleExpression": scheduler_expression(cron),
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "State": "ENABLED" if enabled else "DISABLED",
            "Description": "A scheduled export (coaching platform)",
            "Target": target,
        }


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
