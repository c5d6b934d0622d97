"""The base of every answer's model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """A JSON body the API answers with: every field it carries is named here
    (``additionalProperties: false`` in the document)."""

    model_config = ConfigDict(extra="forbid")
