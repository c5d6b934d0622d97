"""Saved export mappings: an organization's own column renames and omissions, by name, for
`mapping` in an export or a schedule (besides the ready-made `hubspot` and `salesforce`)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.api.models.exports import (
    MappingList,
    MappingName,
    MappingRulesBody,
    MappingView,
    NewMappingBody,
)
from coaching.exports.mappings import READY_MADE
from coaching.ports.export_mappings import MappingRule, SavedMapping
from coaching.usecases import saved_mappings

router = APIGatewayRouter()

MappingNameParameter = Annotated[MappingName, Path(description="the saved mapping's name")]
MAPPINGS_PATH = "/v1/export/mappings"


def mapping_view(mapping: SavedMapping) -> dict:
    return {
        "name": mapping.name,
        "entities": [
            {"entity": r.entity, "renames": dict(r.renames), "omits": list(r.omits)}
            for r in mapping.rules
        ],
        "links": {"self": f"{MAPPINGS_PATH}/{mapping.name}"},
    }


def _rules(body: MappingRulesBody) -> tuple[MappingRule, ...]:
    return tuple(MappingRule(r.entity, dict(r.renames), tuple(r.omits)) for r in body.entities)


def _ports() -> saved_mappings.MappingPorts:
    ports = ports_of(router)
    return saved_mappings.MappingPorts(
        ports.export_ports.mappings,
        ports.audit_log,
        ports.directory,
        schedules=ports.export_job_ports.schedules,
    )


@router.get(
    MAPPINGS_PATH,
    summary="Export mappings: the ready-made CRM ones, and the organization's saved ones",
    responses=documented(model=MappingList),
)
def list_mappings() -> dict:
    principal = client_data_reader(router)
    saved = saved_mappings.mappings_of(_ports(), principal)
    return {"ready_made": sorted(READY_MADE), "items": [mapping_view(m) for m in saved]}


@router.post(
    MAPPINGS_PATH,
    summary="Save a mapping: per entity, columns renamed and columns left out",
    description="Checked against the published schemas (422 naming what is wrong); 409 when "
    "the name is taken (PUT it to change it).",
    responses=documented(
        HTTPStatus.CONFLICT,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        ok=HTTPStatus.CREATED,
        model=MappingView,
    ),
)
def create_mapping(body: Annotated[NewMappingBody, Body()]):
    principal = client_data_reader(router)
    made = saved_mappings.create_mapping(_ports(), principal, body.name, _rules(body))
    return mapping_view(made), HTTPStatus.CREATED


@router.get(
    f"{MAPPINGS_PATH}/<mapping_name>",
    summary="A saved mapping",
    responses=documented(HTTPStatus.NOT_FOUND, model=MappingView),
)
def get_mapping(mapping_name: MappingNameParameter) -> dict:
    principal = client_data_reader(router)
    return mapping_view(saved_mappings.mapping_of(_ports(), principal, mapping_name))


@router.put(
    f"{MAPPINGS_PATH}/<mapping_name>",
    summary="Change a saved mapping (its maker or an admin): its rules are replaced",
    responses=documented(
        HTTPStatus.NOT_FOUND, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, model=MappingView
    ),
)
def replace_mapping(mapping_name: MappingNameParameter, body: Annotated[MappingRulesBody, Body()]):
    principal = client_data_reader(router)
    kept = saved_mappings.replace_mapping(_ports(), principal, mapping_name, _rules(body))
    return mapping_view(kept)


@router.delete(
    f"{MAPPINGS_PATH}/<mapping_name>",
    summary="Delete a saved mapping (its maker or an admin)",
    description="409 while an export schedule uses it: delete that schedule first. Past "
    "exports made with it are not changed.",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, ok=HTTPStatus.NO_CONTENT),
)
def delete_mapping(mapping_name: MappingNameParameter):
    principal = client_data_reader(router)
    saved_mappings.delete_mapping(_ports(), principal, mapping_name)
    return Response(status_code=HTTPStatus.NO_CONTENT)
