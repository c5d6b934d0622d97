"""What the model must reply for a client summary: pydantic models, and the strict JSON
schema generated from them for ``response_format`` (structured outputs)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EVIDENCE = "the [index] numbers of the transcript turns this item rests on"


class ReplyItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="one short sentence")
    evidence: list[int] = Field(description=_EVIDENCE)


class ReplyActionItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="one short sentence in the third person: who will do what")
    owner: str | None = Field(description="who will do it, as named in the transcript")
    due: str | None = Field(description="YYYY-MM-DD when a day was said, else null")
    # A default, so a reply of the first prompt version (without it) still reads.
    due_phrase: str | None = Field(
        default=None,
        description="the transcript's own words for when ('by Friday'), else null",
    )
    evidence: list[int] = Field(description=_EVIDENCE)

    @field_validator("due")
    @classmethod
    def _iso_date_or_none(cls, value: str | None) -> str | None:
        """A due date that is not an ISO date is dropped (the item is kept)."""
        if value is None or not _ISO_DATE.fullmatch(value.strip()):
            return None
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None


class ClientSummaryReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wins: list[ReplyItem] = Field(description="progress or successes the client reports")
    challenges: list[ReplyItem] = Field(description="difficulties the client names")
    action_items: list[ReplyActionItem] = Field(description="what the client committed to do")
    coach_recommendations: list[ReplyItem] = Field(
        description="the coach's suggestions for this client"
    )
    breakthroughs: list[ReplyItem] = Field(
        description="moments where the client realises something new"
    )


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the form strict structured outputs accept: every object
    closed (``additionalProperties: false``) with all its properties required, references
    inlined, no titles or defaults."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return _strict(schema, definitions)


def _strict(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strict(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[-1]])
        extra = {k: v for k, v in node.items() if k != "$ref"}
        return _strict({**target, **extra}, definitions)
    result = {
        key: _strict(value, definitions)
        for key, value in node.items()
        if key not in ("title", "default")
    }
    if result.get("type") == "object" and "properties" in result:
        result["properties"] = {
            name: _strict(value, definitions) for name, value in node["properties"].items()
        }
        result["required"] = list(result["properties"])
        result["additionalProperties"] = False
    return result


class SummaryRefinementReply(BaseModel):
    """What the model must reply to a coach's free-form request: the whole summary as it
    should now read (the same four lists the coach edits), and one line for the coach.
    The lists are then validated with the coach's own model (SummaryContent)."""

    model_config = ConfigDict(extra="forbid")

    wins: list[ReplyItem] = Field(description="progress or successes the client reports")
    challenges: list[ReplyItem] = Field(description="difficulties the client names")
    action_items: list[ReplyActionItem] = Field(description="what the client committed to do")
    coach_recommendations: list[ReplyItem] = Field(
        description="the coach's suggestions for this client"
    )
    reply: str = Field(description="one short sentence to the coach: what you changed")
