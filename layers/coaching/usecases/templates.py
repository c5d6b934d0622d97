"""Follow-up email templates: the organization's own, beside read-only system defaults.

A template is checked before it is saved: it must parse, use only the documented variables
and render both for a full summary and for an empty one, so a saved template never fails
at approval time.
"""

from __future__ import annotations

import uuid

from coaching.domain.errors import Forbidden, NotFound
from coaching.domain.identity import Principal, Role
from coaching.ports.review import ContentRejected, ReviewPorts, TemplateFields, TemplateRecord
from coaching.usecases.follow_up_rendering import template_problems, used_variables


def list_templates(ports: ReviewPorts, principal: Principal) -> list[TemplateRecord]:
    return ports.templates.list_templates(principal.organization_id)


def get_template(
    ports: ReviewPorts, principal: Principal, template_id: uuid.UUID
) -> TemplateRecord:
    template = ports.templates.get_template(principal.organization_id, template_id)
    if template is None:
        raise NotFound(f"Template {template_id} does not exist.")
    return template


def create_template(
    ports: ReviewPorts, principal: Principal, fields: TemplateFields
) -> TemplateRecord:
    variables = _checked(fields)
    return ports.templates.create_template(
        principal.organization_id, fields, variables, principal.coach_id
    )


def update_template(
    ports: ReviewPorts, principal: Principal, template_id: uuid.UUID, fields: TemplateFields
) -> TemplateRecord:
    _ensure_changeable(get_template(ports, principal, template_id), principal)
    variables = _checked(fields)
    return ports.templates.update_template(
        principal.organization_id, template_id, fields, variables
    )


def delete_template(ports: ReviewPorts, principal: Principal, template_id: uuid.UUID) -> None:
    _ensure_changeable(get_template(ports, principal, template_id), principal)
    ports.templates.delete_template(principal.organization_id, template_id)


def copy_template(
    ports: ReviewPorts, principal: Principal, template_id: uuid.UUID
) -> TemplateRecord:
    """The organization's own copy, to change as it likes; not a default until made one."""
    source = get_template(ports, principal, template_id)
    fields = TemplateFields(
        name=f"{source.name} (copy)"[:255],
        type=source.type,
        workshop_type=source.workshop_type,
        subject=source.subject,
        content=source.content,
        is_default=False,
    )
    return create_template(ports, principal, fields)


def _ensure_changeable(template: TemplateRecord, principal: Principal) -> None:
    if template.is_system:
        raise Forbidden(
            "System templates cannot be changed or deleted.",
            hint=f"Copy it (POST /v1/templates/{template.id}/copy) and change the copy.",
        )
    # Leads and admins look after the organization's templates; a coach, after their own.
    if principal.role is Role.COACH and (
        template.coach_id is None or template.coach_id != principal.coach_id
    ):
        raise Forbidden(
            "Only the coach who made this template, a coach lead or an admin can change it.",
            hint="Copy it and change the copy.",
        )


def _checked(fields: TemplateFields) -> list[str]:
    errors = [
        {"loc": ("body", name), "msg": problem}
        for name, source in (("subject", fields.subject), ("content", fields.content))
        for problem in template_problems(source)
    ]
    if errors:
        raise ContentRejected("The template cannot be used.", errors)
    return used_variables(fields.subject, fields.content)
