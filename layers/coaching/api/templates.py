"""Follow-up email templates: system defaults (read-only) and the organization's own."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.api.models.templates import Template, TemplateList
from coaching.api.summaries import fields_rejected
from coaching.domain.review import TemplateFields, TemplateRecord
from coaching.usecases import templates
from coaching.usecases.follow_up_rendering import VARIABLES

router = APIGatewayRouter()

TemplateId = Annotated[uuid.UUID, Path(description="the template's id")]
_VARIABLES_HELP = "; ".join(f"{name}: {meaning}" for name, meaning in VARIABLES.items())


class TemplateBody(TemplateFields):
    __doc__ = (
        "A follow-up email: `subject` and `content` are Jinja2 templates rendered as plain "
        f"text in a sandbox. Variables: {_VARIABLES_HELP}."
    )


@router.get(
    "/v1/templates",
    summary="System default templates and the organization's own, with the variables",
    responses=documented(model=TemplateList),
)
def list_templates() -> dict:
    principal = client_data_reader(router)
    items = templates.list_templates(ports_of(router).review_ports, principal)
    return {"items": [template_view(t) for t in items], "variables": VARIABLES}


@router.post(
    "/v1/templates",
    summary="Add a template to the organization",
    responses=documented(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, ok=HTTPStatus.CREATED, model=Template),
)
def create_template(body: Annotated[TemplateBody, Body()]):
    principal = client_data_reader(router)
    with fields_rejected():
        created = templates.create_template(ports_of(router).review_ports, principal, body)
    audit(router, principal, "create", "template", created.id, **templates.audit_details(created))
    return template_view(created), HTTPStatus.CREATED


@router.get(
    "/v1/templates/<template_id>",
    summary="One template",
    responses=documented(HTTPStatus.NOT_FOUND, model=Template),
)
def get_template(template_id: TemplateId) -> dict:
    principal = client_data_reader(router)
    return template_view(
        templates.get_template(ports_of(router).review_ports, principal, template_id)
    )


@router.put(
    "/v1/templates/<template_id>",
    summary="Change one of the organization's templates (system defaults: copy them)",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, model=Template),
)
def update_template(template_id: TemplateId, body: Annotated[TemplateBody, Body()]) -> dict:
    principal = client_data_reader(router)
    with fields_rejected():
        updated = templates.update_template(
            ports_of(router).review_ports, principal, template_id, body
        )
    audit(router, principal, "update", "template", template_id, **templates.audit_details(updated))
    return template_view(updated)


@router.delete(
    "/v1/templates/<template_id>",
    summary="Delete one of the organization's templates; drafts made from it stay",
    responses=documented(HTTPStatus.NOT_FOUND, ok=HTTPStatus.NO_CONTENT),
)
def delete_template(template_id: TemplateId):
    principal = client_data_reader(router)
    templates.delete_template(ports_of(router).review_ports, principal, template_id)
    audit(router, principal, "delete", "template", template_id)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.post(
    "/v1/templates/<template_id>/copy",
    summary="Copy a template (a system default, say) into the organization, to change it",
    responses=documented(HTTPStatus.NOT_FOUND, ok=HTTPStatus.CREATED, model=Template),
)
def copy_template(template_id: TemplateId):
    principal = client_data_reader(router)
    copied = templates.copy_template(ports_of(router).review_ports, principal, template_id)
    audit(router, principal, "create", "template", copied.id, copied_from=str(template_id))
    return template_view(copied), HTTPStatus.CREATED


def template_view(template: TemplateRecord) -> dict:
    return {
        **template.model_dump(mode="json"),
        "default_for": template.default_for if template.is_default else None,
        "system": template.is_system,
        "read_only": template.is_system,
    }
