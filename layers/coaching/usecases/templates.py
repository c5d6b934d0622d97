"""Follow-up email templates: the organization's own, beside read-only system defaults.

A template is checked before it is saved: it must parse, use only the documented variables
and render both for a full summary and for an empty one, so a saved template never fails
at approval time.

A default is either the organization's, which drafts every coach's follow-ups, so only an
admin sets, changes or clears it; or a coach's own, which drafts only the follow-ups of that
coach's sessions (see the store's default_template for the order).
"""

from __future__ import annotations

import uuid

from coaching.domain.errors import ContentRejected, Forbidden, NotFound
from coaching.domain.identity import Principal, Role
from coaching.domain.review import TemplateFields, TemplateRecord
from coaching.ports.review import ReviewPorts
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
    _ensure_may_make_default(fields, principal, owner=principal.coach_id)
    variables = _checked(fields)
    return ports.templates.create_template(
        principal.organization_id, fields, variables, principal.coach_id
    )


def update_template(
    ports: ReviewPorts, principal: Principal, template_id: uuid.UUID, fields: TemplateFields
) -> TemplateRecord:
    template = get_template(ports, principal, template_id)
    _ensure_changeable(template, principal)
    _ensure_may_make_default(fields, principal, owner=template.coach_id, current=template)
    variables = _checked(fields)
    return ports.templates.update_template(
        principal.organization_id, template_id, fields, variables
    )


def delete_template(ports: ReviewPorts, principal: Principal, template_id: uuid.UUID) -> None:
    _ensure_changeable(get_template(ports, principal, template_id), principal)
    ports.templates.delete_template(principal.organization_id, template_id)


def audit_details(template: TemplateRecord) -> dict[str, str]:
    """What the audit log says of a saved template: whose default it is, if it is one."""
    return {"default_for": template.default_for} if template.is_default else {}


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
    # The organization's default drafts every coach's emails: changing or deleting it
    # (which clears it) is an admin's decision.
    if _is_organization_default(template) and principal.role is not Role.ADMIN:
        raise Forbidden(
            "This template is the organization's default: only an admin can change or delete it.",
            hint="Copy it and change the copy.",
        )
    # Leads and admins look after the organization's templates; a coach, after their own.
    if principal.role is Role.COACH and (
        template.coach_id is None or template.coach_id != principal.coach_id
    ):
        raise Forbidden(
            "Only the coach who made this template, a coach lead or an admin can change it.",
            hint="Copy it and change the copy.",
        )


def _ensure_may_make_default(
    fields: TemplateFields,
    principal: Principal,
    owner: uuid.UUID | None,
    current: TemplateRecord | None = None,
) -> None:
    """``owner``: the coach the template belongs to (whose own default it could be);
    ``current``: the template as it is (keeping its default as it is needs no right)."""
    if not fields.is_default:
        return
    if current and current.is_default and current.default_for == fields.default_for:
        return
    if _is_organization_default(fields) and principal.role is not Role.ADMIN:
        raise Forbidden(
            "Only an admin can make a template the organization's default.",
            hint='To draft your own clients\' follow-ups with it, send "default_for": "coach".',
        )
    if fields.default_for == "coach" and (owner is None or owner != principal.coach_id):
        raise Forbidden(
            "A template can be the default only of the coach who made it.",
            hint="Copy it, and make the copy your default.",
        )


def _is_organization_default(template: TemplateFields) -> bool:
    return template.is_default and template.default_for == "organization"


def _checked(fields: TemplateFields) -> list[str]:
    errors = [
        {"loc": ("body", name), "msg": problem}
        for name, source in (("subject", fields.subject), ("content", fields.content))
        for problem in template_problems(source)
    ]
    if errors:
        raise ContentRejected("The template cannot be used.", errors)
    return used_variables(fields.subject, fields.content)
