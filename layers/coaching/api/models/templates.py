"""Template answers."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from coaching.api.models.base import Answer
from coaching.domain.review import DefaultFor, TemplateRecord


class Template(TemplateRecord):
    model_config = ConfigDict(extra="forbid")

    default_for: DefaultFor | None = Field(  # type: ignore[assignment]
        description="whose default it is, when it is one"
    )
    system: bool = Field(description="a system default: read-only, copy it to change it")
    read_only: bool


class TemplateList(Answer):
    items: list[Template]
    variables: dict[str, str] = Field(description="what a template may use, and what each is")
