"""Row-level security, the second wall between organizations (migration 0007): a query that
forgets `WHERE organization_id = ...` inside an organization's transaction still sees, and
writes, only that organization's rows."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql

from coaching.adapters.postgres import Database
from coaching.adapters.postgres.database import APPLICATION_ROLE, scope_to_organization
from tests.local_ports import ports

pytestmark = pytest.mark.integration

# Tables with an organization_id column, in schema public.
_OWNED_TABLES = """
    SELECT c.relname AS name, c.oid, c.relrowsecurity
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND a.attname = 'organization_id' AND NOT a.attisdropped
    ORDER BY c.relname
"""

# Policies of a table for the restricted role that hold every command to the organization.
_ISOLATING_POLICIES = """
    SELECT p.polname
    FROM pg_policy p
    WHERE p.polrelid = %(table)s AND p.polcmd = '*' AND p.polpermissive
      AND (SELECT oid FROM pg_roles WHERE rolname = %(role)s) = ANY(p.polroles)
      AND pg_get_expr(p.polqual, p.polrelid) LIKE %(column)s
      AND pg_get_expr(p.polqual, p.polrelid) LIKE '%%app.organization_id%%'
      AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE %(column)s
      AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%%app.organization_id%%'
"""


class _RolledBack(Exception):
    """Raised to end a transaction with a rollback, so a test leaves no rows behind."""


@pytest.fixture
def database(platform) -> Database:
    return ports().database


@pytest.fixture
def other_organization(platform) -> uuid.UUID:
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"test {org}")
    return org


def _add_client(database: Database, org: uuid.UUID, name: str) -> uuid.UUID:
    with database.transaction(org) as conn:
        return conn.execute(
            "INSERT INTO clients (organization_id, name) VALUES (%s, %s) RETURNING id",
            (org, name),
        ).fetchone()["id"]


def test_every_table_with_an_organization_has_row_level_security(database):
    with database.transaction() as conn:
        tables = conn.execute(_OWNED_TABLES).fetchall()
        unprotected = [
            row["name"]
            for row in tables
            if not row["relrowsecurity"]
            or not conn.execute(
                _ISOLATING_POLICIES,
                {"table": row["oid"], "role": APPLICATION_ROLE, "column": "%organization_id%"},
            ).fetchall()
        ]
        organizations = conn.execute(
            "SELECT oid, relrowsecurity FROM pg_class WHERE oid = 'organizations'::regclass"
        ).fetchone()
        organizations_policies = conn.execute(
            _ISOLATING_POLICIES,
            {"table": organizations["oid"], "role": APPLICATION_ROLE, "column": "%id = %"},
        ).fetchall()
    assert {"clients", "sessions", "audit_log", "executions"} <= {row["name"] for row in tables}
    assert unprotected == [], "add ENABLE ROW LEVEL SECURITY and the organization_isolation policy"
    assert organizations["relrowsecurity"] and organizations_policies


def test_the_restricted_role_cannot_bypass_row_level_security(database):
    with database.transaction() as conn:
        role = conn.execute(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
            (APPLICATION_ROLE,),
        ).fetchone()
    assert role == {"rolsuper": False, "rolbypassrls": False, "rolcanlogin": False}


def test_a_query_without_the_organization_sees_only_its_own_rows(
    database, organization, other_organization
):
    # Given clients in two organizations
    mine = _add_client(database, organization, "Ada Mine")
    _add_client(database, other_organization, "Bea Theirs")
    with database.transaction(organization) as conn:
        # When a query forgets its WHERE organization_id clause
        clients = conn.execute("SELECT id FROM clients").fetchall()
        foreign = {
            row["name"]: conn.execute(
                sql.SQL(
                    "SELECT count(*) AS n FROM {} WHERE organization_id <> %s"
                    " OR organization_id IS NULL"
                ).format(sql.Identifier(row["name"])),
                (organization,),
            ).fetchone()["n"]
            for row in conn.execute(_OWNED_TABLES).fetchall()
            if row["name"] != "templates"  # system defaults have no organization
        }
        organizations = conn.execute("SELECT id FROM organizations").fetchall()
    # Then it still sees only its own organization's rows, in every table
    assert [row["id"] for row in clients] == [mine]
    assert {table: n for table, n in foreign.items() if n} == {}
    assert [row["id"] for row in organizations] == [organization]


def test_another_organizations_rows_cannot_be_written(database, organization, other_organization):
    mine = _add_client(database, organization, "Ada Mine")
    theirs = _add_client(database, other_organization, "Bea Theirs")
    # Inserting a row for another organization is refused
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        with database.transaction(organization) as conn:
            conn.execute(
                "INSERT INTO clients (organization_id, name) VALUES (%s, 'Cy Smuggled')",
                (other_organization,),
            )
    # So is moving one's own row into another organization
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        database.transaction(organization) as conn,
    ):
        conn.execute(
            "UPDATE clients SET organization_id = %s WHERE id = %s", (other_organization, mine)
        )
    # Another organization's rows are not there to change or delete
    with database.transaction(organization) as conn:
        renamed = conn.execute("UPDATE clients SET name = 'x' WHERE id = %s", (theirs,)).rowcount
        deleted = conn.execute("DELETE FROM clients WHERE id = %s", (theirs,)).rowcount
    assert (renamed, deleted) == (0, 0)
    # Nor is another organization created
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        database.transaction(organization) as conn,
    ):
        conn.execute("INSERT INTO organizations (id, name) VALUES (%s, 'x')", (uuid.uuid4(),))
    with database.transaction() as conn:
        names = conn.execute(
            "SELECT organization_id, name FROM clients WHERE id = ANY(%s)", ([mine, theirs],)
        ).fetchall()
    assert sorted((row["organization_id"], row["name"]) for row in names) == sorted(
        [(organization, "Ada Mine"), (other_organization, "Bea Theirs")]
    )


def test_the_audit_trail_is_append_only_inside_an_organization(database, organization):
    with database.transaction(organization) as conn:
        conn.execute(
            "INSERT INTO audit_log (organization_id, actor, action, resource_type)"
            " VALUES (%s, 'test', 'read', 'client')",
            (organization,),
        )
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            database.transaction(organization) as conn,
        ):
            conn.execute(statement)


def test_system_default_templates_are_read_by_all_and_written_by_none(
    database, organization, other_organization
):
    with pytest.raises(_RolledBack), database.transaction() as conn:
        # Given a system default and a template of another organization (rolled back after)
        default = conn.execute(
            "INSERT INTO templates (name, type, content) VALUES ('Default', 'email', 'Hi')"
            " RETURNING id"
        ).fetchone()["id"]
        theirs = conn.execute(
            "INSERT INTO templates (organization_id, name, type, content)"
            " VALUES (%s, 'Theirs', 'email', 'Hi') RETURNING id",
            (other_organization,),
        ).fetchone()["id"]
        scope_to_organization(conn, organization)
        # An organization reads the defaults, not the other organization's template
        seen = conn.execute("SELECT id, organization_id FROM templates").fetchall()
        assert default in {row["id"] for row in seen}
        assert theirs not in {row["id"] for row in seen}
        assert {row["organization_id"] for row in seen} <= {None, organization}
        # And cannot change the default
        changed = conn.execute("UPDATE templates SET content = 'x' WHERE id = %s", (default,))
        assert changed.rowcount == 0
        assert conn.execute("DELETE FROM templates WHERE id = %s", (default,)).rowcount == 0
        # Nor add a default of its own
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute("INSERT INTO templates (name, type, content) VALUES ('x', 'email', 'x')")
        raise _RolledBack


def test_an_unscoped_system_transaction_sees_every_organization(
    database, organization, other_organization
):
    _add_client(database, organization, "Ada Mine")
    _add_client(database, other_organization, "Bea Theirs")
    with database.transaction() as conn:
        orgs = conn.execute(
            "SELECT DISTINCT organization_id FROM clients WHERE organization_id = ANY(%s)",
            ([organization, other_organization],),
        ).fetchall()
    assert {row["organization_id"] for row in orgs} == {organization, other_organization}


def test_a_pooled_connection_comes_back_unscoped(platform, organization):
    # One connection, so the second transaction gets the very connection the first used
    single = Database(platform.settings.database_url, max_size=1)
    try:
        with single.transaction() as conn:
            owner = conn.execute("SELECT current_user AS name").fetchone()["name"]
        with single.transaction(organization) as conn:
            scoped = conn.execute(
                "SELECT current_user AS name, current_setting('app.organization_id') AS org"
            ).fetchone()
        with single.transaction() as conn:
            after = conn.execute(
                "SELECT current_user AS name,"
                " coalesce(current_setting('app.organization_id', true), '') AS org"
            ).fetchone()
        # A failed scoped transaction leaves nothing behind either
        with pytest.raises(psycopg.errors.DivisionByZero), single.transaction(organization) as conn:
            conn.execute("SELECT 1 / 0")
        with single.transaction() as conn:
            after_failure = conn.execute("SELECT current_user AS name").fetchone()
    finally:
        single.close()
    assert owner != APPLICATION_ROLE
    assert scoped == {"name": APPLICATION_ROLE, "org": str(organization)}
    assert after == {"name": owner, "org": ""}
    assert after_failure == {"name": owner}


def test_an_explicit_commit_cannot_end_the_scope_early(database, organization):
    # Statements after a commit would run as the unrestricted owner: it is refused
    with pytest.raises(psycopg.ProgrammingError), database.transaction(organization) as conn:
        conn.commit()
