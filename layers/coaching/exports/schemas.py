"""The published schemas of every exported entity: columns in their stable order, each typed
and described, each entity versioned.

A change to an entity's columns (a name, a type, the order, one added or removed) is a new
version of that entity and of the set: ``tests/unit/test_export_schemas.py`` compares the
columns with a checked-in fingerprint (``tests/unit/data/export_schemas.json``) and fails
when they changed but the version did not. Consumers (CRM mappings, spreadsheets, a data
warehouse) key on ``SCHEMA_VERSION``, printed in every manifest.

A row is a plain dict keyed by column name, in column order: ids are strings (uuids), dates
``datetime.date``, timestamps aware ``datetime``, ``string_list`` a list of str, ``json`` any
JSON value. ``sensitive`` marks a column that may carry what a client said about health or
another protected subject: items resting on a flagged turn are left out of it unless the
export asks for them (``include_sensitive``), and that choice is audited.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

ColumnType = Literal[
    "string", "integer", "float", "boolean", "date", "timestamp", "json", "string_list"
]
ENTITIES = ("sessions", "clients", "summaries", "action_items")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    sensitive: bool = False


@dataclass(frozen=True)
class EntitySchema:
    entity: str
    version: int
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def key(self) -> str:
        """The id column: the first."""
        return self.columns[0].name


def _c(name: str, type_: ColumnType, description: str, *, sensitive: bool = False) -> Column:
    return Column(name, type_, description, sensitive)


_UPDATED = "When the row last changed: an incremental export carries rows changed since"

SESSIONS = EntitySchema(
    "sessions",
    1,
    (
        _c("session_id", "string", "The session's id (uuid)"),
        _c("coach_id", "string", "The coach the session belongs to (uuid), if any"),
        _c("coach_name", "string", "The coach's name as the transcript gives it"),
        _c("session_date", "date", "The day of the session (its upload day when none was said)"),
        _c("session_type", "string", "group or individual"),
        _c("status", "string", "Processing status: received, processing, completed, failed"),
        _c("format", "string", "The transcript's format (zoom_vtt, teams_docx, ...)"),
        _c("duration_seconds", "float", "Length of the recording in seconds"),
        _c("participant_count", "integer", "Speakers in the session, the coach included"),
        _c("client_count", "integer", "Clients in the session"),
        _c("overview", "string", "The session's overview for the coach", sensitive=True),
        _c("created_at", "timestamp", "When the session was uploaded"),
        _c("updated_at", "timestamp", _UPDATED),
    ),
)

CLIENTS = EntitySchema(
    "clients",
    1,
    (
        _c("client_id", "string", "The client's id (uuid)"),
        _c("name", "string", "The client's name"),
        _c("email", "string", "The client's email address, when recorded"),
        _c("status", "string", "pending (found in a transcript) or active (confirmed)"),
        _c("external_id", "string", "The client's id in the coach's own list or CRM"),
        _c("tags", "string_list", "The client's tags"),
        _c("opted_out", "boolean", "Opted out of follow-up emails"),
        _c("email_suppressed", "boolean", "Their address bounced for good or complained"),
        _c("session_count", "integer", "Sessions of theirs the export's owner may see"),
        _c("first_session_date", "date", "Their first such session"),
        _c("last_session_date", "date", "Their latest such session"),
        _c("latest_engagement", "string", "Engagement in their latest analysed session"),
        _c("latest_priority", "float", "Follow-up priority (0-1) in their latest session"),
        _c("created_at", "timestamp", "When the record was made"),
        _c("updated_at", "timestamp", _UPDATED),
    ),
)

SUMMARIES = EntitySchema(
    "summaries",
    1,
    (
        _c("summary_id", "string", "The approved summary's id (uuid)"),
        _c("session_id", "string", "Its session (uuid)"),
        _c("client_id", "string", "Its client (uuid)"),
        _c("client_name", "string", "The client's name"),
        _c("coach_id", "string", "The session's coach (uuid), if any"),
        _c("session_date", "date", "The day of the session"),
        _c("wins", "string_list", "What went well, as approved", sensitive=True),
        _c("challenges", "string_list", "What the client is working through", sensitive=True),
        _c("recommendations", "string_list", "The coach's recommendations", sensitive=True),
        _c("action_item_count", "integer", "Action items exported for it (action_items rows)"),
        _c("engagement_level", "string", "silent, low, medium or high"),
        _c("priority_score", "float", "Follow-up priority, 0 to 1"),
        _c("priority_reasons", "string_list", "Codes behind the priority, weightiest first"),
        _c("breakthroughs", "integer", "Breakthrough moments detected"),
        _c("follow_up_status", "string", "draft, scheduled, sending, sent or failed; none"),
        _c("follow_up_sent_at", "timestamp", "When the follow-up email went"),
        _c("approved_at", "timestamp", "When the coach approved the summary"),
        _c("updated_at", "timestamp", _UPDATED),
    ),
)

ACTION_ITEMS = EntitySchema(
    "action_items",
    1,
    (
        _c(
            "action_item_id",
            "string",
            "Stable id (uuid5 of the summary id and the item's position)",
        ),
        _c("summary_id", "string", "The approved summary it is part of (uuid)"),
        _c("session_id", "string", "Its session (uuid)"),
        _c("client_id", "string", "Its client (uuid)"),
        _c("coach_id", "string", "The session's coach (uuid), if any"),
        _c("position", "integer", "Its place in the summary's list, from 0"),
        _c("text", "string", "What was committed to", sensitive=True),
        _c("owner", "string", "Who does it"),
        _c("due", "date", "When it is due, if a date was said"),
        _c("due_phrase", "string", "The words the date was read from"),
        _c("session_date", "date", "The day it was committed to"),
        _c(
            "kept",
            "string",
            "kept, not_kept or unclear as the client's next session showed; pending before it",
        ),
        _c("sensitive", "boolean", "It rests on a flagged turn (only with include_sensitive)"),
        _c("updated_at", "timestamp", _UPDATED),
    ),
)

SCHEMAS: dict[str, EntitySchema] = {
    schema.entity: schema for schema in (SESSIONS, CLIENTS, SUMMARIES, ACTION_ITEMS)
}
# The set's version: a bump of any entity's version is a bump of this.
SCHEMA_VERSION = "1"


def columns_fingerprint(schema: EntitySchema) -> str:
    """A hash of what a reader depends on: names, types and order (descriptions may change)."""
    shape = [[column.name, column.type, column.sensitive] for column in schema.columns]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()


def schemas_document() -> dict[str, Any]:
    """What ``GET /v1/export/schemas`` and ``coach export schemas --json`` print."""
    return {
        "schema_version": SCHEMA_VERSION,
        "entities": [
            {
                "entity": schema.entity,
                "version": schema.version,
                "key": schema.key,
                "columns": [
                    {
                        "name": column.name,
                        "type": column.type,
                        "description": column.description,
                        "sensitive": column.sensitive,
                    }
                    for column in schema.columns
                ],
            }
            for schema in SCHEMAS.values()
        ],
    }
