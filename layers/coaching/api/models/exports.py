"""Exports' requests and answers: a job you poll, its files' download links, schedules."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from coaching.api.models.base import Answer
from coaching.exports.schemas import ColumnType

JobStatus = Literal["queued", "running", "succeeded", "failed"]
Destination = Literal["download", "hubspot", "salesforce"]
ScheduleFormat = Literal["json", "jsonl", "csv", "parquet"]
# A mapping's name: HubSpot's, Salesforce's, or one saved by a user.
MappingName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
]


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: dt.datetime | None = Field(
        default=None, description="only rows changed since (ISO 8601; a date alone is midnight UTC)"
    )
    mapping: MappingName | None = Field(default=None, description="a field mapping to apply")
    include_sensitive: bool = Field(
        default=False,
        description="include items resting on health and other flagged turns (audited)",
    )
    bom: bool = Field(default=False, description="CSV: a UTF-8 byte order mark, for spreadsheets")


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cron: Annotated[str, StringConstraints(min_length=9, max_length=100)] = Field(
        description='standard 5-field cron, at most once an hour, e.g. "0 6 * * 1"'
    )
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        default="UTC", description="IANA zone the cron's times are read in"
    )
    format: ScheduleFormat
    mapping: MappingName | None = None
    destination: Destination = "download"
    include_sensitive: bool = False
    bom: bool = False


class JobLinks(Answer):
    self: str


class JobFile(Answer):
    entity: str
    path: str
    rows: int
    sha256: str
    bytes: int | None = Field(description="the file's size (null for runs from before sizes)")
    url: str | None = Field(description="a short-lived download link (succeeded runs)")


class ExportJob(Answer):
    id: str
    status: JobStatus
    format: str
    schedule_id: str | None
    include_sensitive: bool
    since: dt.datetime | None
    created_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    row_counts: dict[str, int]
    files: list[JobFile]
    manifest: dict[str, Any] | None = Field(description="the run's manifest once written")
    error: str | None
    links: JobLinks


class ExportJobList(Answer):
    items: list[ExportJob]


class ScheduleLinks(Answer):
    self: str
    jobs: str


class SchedulePatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        description="false pauses the schedule (it keeps its settings and runs no more); true "
        "resumes it from its next time"
    )


class ExportScheduleView(Answer):
    id: str
    cron: str
    timezone: str
    description: str = Field(description='the cron in words ("At 06:00 on Monday")')
    format: str
    mapping: str | None
    destination: str
    include_sensitive: bool
    enabled: bool
    next_run_at: dt.datetime | None
    created_at: dt.datetime | None
    links: ScheduleLinks


class ExportScheduleList(Answer):
    items: list[ExportScheduleView]


class SchemaColumn(Answer):
    name: str
    type: ColumnType
    description: str
    sensitive: bool


class EntitySchemaView(Answer):
    entity: str
    version: int
    key: str = Field(description="the id column")
    columns: list[SchemaColumn]


class SchemasDocument(Answer):
    schema_version: str
    entities: list[EntitySchemaView]


class CrmConnectionView(Answer):
    kind: Literal["hubspot", "salesforce"]
    connected: bool
    connected_at: dt.datetime | None = Field(
        description="when its token was stored or last refreshed (null when not connected or "
        "the store does not say)"
    )
    reason: Literal["not_connected", "credentials_unreadable"] | None = Field(
        description="why it is not connected: no token stored, or a token store that could "
        "not be read (null when connected)"
    )


class CrmConnectionList(Answer):
    items: list[CrmConnectionView]
    organization_id: uuid.UUID = Field(
        description="the caller's organization: locally its tokens are under "
        "$COACH_HOME/secrets/crm/<organization id>/"
    )


class MappingRuleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: Literal["sessions", "clients", "summaries", "action_items"]
    renames: dict[
        Annotated[str, StringConstraints(max_length=100)],
        Annotated[str, StringConstraints(min_length=1, max_length=100)],
    ] = Field(default_factory=dict, max_length=100, description="column -> its name out")
    omits: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=100, description="columns left out"
    )


class MappingRulesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entities: list[MappingRuleBody] = Field(min_length=1, max_length=4)


class NewMappingBody(MappingRulesBody):
    name: MappingName


class MappingRuleView(Answer):
    entity: str
    renames: dict[str, str]
    omits: list[str]


class MappingView(Answer):
    name: str
    entities: list[MappingRuleView]
    links: JobLinks


class MappingList(Answer):
    ready_made: list[str] = Field(description="the CRMs' mappings, by name")
    items: list[MappingView] = Field(description="the organization's saved mappings")
