"""TemplateStore on PostgreSQL: the organization's templates and the system defaults.

System defaults have no organization; every statement that changes a template also names
the organization, so a default cannot be changed through here even by mistake.
"""

from __future__ import annotations

import uuid

from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.domain.errors import NotFound
from coaching.domain.review import SessionKind, TemplateFields, TemplateRecord

_COLUMNS = columns(
    "id, organization_id, coach_id, name, type, workshop_type, subject, content, variables,"
    " is_default, default_for, created_at, updated_at"
)


class PostgresTemplateStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def list_templates(self, org: uuid.UUID) -> list[TemplateRecord]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM templates"
                    " WHERE organization_id = %s OR organization_id IS NULL"
                    " ORDER BY organization_id NULLS FIRST, name, id"
                ).format(_COLUMNS),
                (org,),
            ).fetchall()
        return [TemplateRecord.model_validate(row) for row in rows]

    def get_template(self, org: uuid.UUID, template_id: uuid.UUID) -> TemplateRecord | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT {} FROM templates WHERE id = %s"
                    " AND (organization_id = %s OR organization_id IS NULL)"
                ).format(_COLUMNS),
                (template_id, org),
            ).fetchone()
        return TemplateRecord.model_validate(row) if row else None

    def create_template(
        self,
        org: uuid.UUID,
        fields: TemplateFields,
        variables: list[str],
        coach_id: uuid.UUID | None,
    ) -> TemplateRecord:
        with self._db.transaction(org) as conn:
            if fields.is_default:
                _clear_default(conn, org, fields, coach_id)
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO templates (organization_id, coach_id, name, type, workshop_type,"
                    " subject, content, variables, is_default, default_for)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " RETURNING {}"
                ).format(_COLUMNS),
                (org, coach_id, *_editable(fields, variables)),
            ).fetchone()
        return TemplateRecord.model_validate(row)

    def update_template(
        self, org: uuid.UUID, template_id: uuid.UUID, fields: TemplateFields, variables: list[str]
    ) -> TemplateRecord:
        with self._db.transaction(org) as conn:
            if fields.is_default:
                owner = conn.execute(
                    "SELECT coach_id FROM templates WHERE organization_id = %s AND id = %s",
                    (org, template_id),
                ).fetchone()
                _clear_default(conn, org, fields, owner["coach_id"] if owner else None)
            row = conn.execute(
                sql.SQL(
                    "UPDATE templates SET name = %s, type = %s, workshop_type = %s, subject = %s,"
                    " content = %s, variables = %s, is_default = %s, default_for = %s,"
                    " updated_at = now()"
                    " WHERE organization_id = %s AND id = %s"
                    " RETURNING {}"
                ).format(_COLUMNS),
                (*_editable(fields, variables), org, template_id),
            ).fetchone()
        if row is None:
            raise NotFound(f"Template {template_id} does not exist.")
        return TemplateRecord.model_validate(row)

    def delete_template(self, org: uuid.UUID, template_id: uuid.UUID) -> None:
        with self._db.transaction(org) as conn:
            deleted = conn.execute(
                "DELETE FROM templates WHERE organization_id = %s AND id = %s",
                (org, template_id),
            ).rowcount
        if not deleted:
            raise NotFound(f"Template {template_id} does not exist.")

    def default_template(
        self, org: uuid.UUID, kind: SessionKind, coach_id: uuid.UUID | None
    ) -> TemplateRecord | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT {} FROM templates"
                    " WHERE type = 'follow_up' AND is_default"
                    " AND (organization_id = %s OR organization_id IS NULL)"
                    " AND (workshop_type = %s OR workshop_type IS NULL)"
                    # Another coach's own default never drafts this coach's emails.
                    " AND (default_for = 'organization' OR coach_id = %s)"
                    # The coach's own, then the organization's, then the system's; the closest
                    # fit first.
                    " ORDER BY default_for = 'coach' DESC, organization_id IS NULL,"
                    " workshop_type IS NULL, created_at DESC"
                    " LIMIT 1"
                ).format(_COLUMNS),
                (org, kind, coach_id),
            ).fetchone()
        return TemplateRecord.model_validate(row) if row else None


def _editable(fields: TemplateFields, variables: list[str]) -> tuple:
    """What a create or an update writes, in the order both statements name the columns."""
    return (
        fields.name,
        fields.type,
        fields.workshop_type,
        fields.subject,
        fields.content,
        variables,
        fields.is_default,
        fields.default_for if fields.is_default else "organization",  # no one's, as before
    )


def _clear_default(
    conn, org: uuid.UUID, fields: TemplateFields, coach_id: uuid.UUID | None
) -> None:
    """One organization default per kind of session, and one of each coach's own: the new
    one replaces the one it would compete with."""
    conn.execute(
        "UPDATE templates SET is_default = FALSE WHERE organization_id = %s AND type = %s"
        " AND workshop_type IS NOT DISTINCT FROM %s AND is_default AND default_for = %s"
        " AND (default_for = 'organization' OR coach_id = %s)",
        (org, fields.type, fields.workshop_type, fields.default_for, coach_id),
    )
