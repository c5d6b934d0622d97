"""functions/migrate: the deploy's custom resource applies the migrations (and the coach_app
role with them) on Create and Update, once each, and does nothing on Delete; against a fresh
database of the embedded PostgreSQL, as the deployed function against Aurora."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from coaching.composition import Ports
from coaching.domain.errors import MigrationFailed
from functions.migrate.handler import PHYSICAL_RESOURCE_ID, lambda_handler
from tests.lambda_events import load_event
from tests.moto_ingest import LambdaContext

pytestmark = pytest.mark.integration

CONTEXT = LambdaContext(
    function_name="migrate",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:migrate",
)
SHIPPED = sorted(
    item.name.removesuffix(".sql")
    for item in (resources.files("coaching") / "migrations").iterdir()
    if item.name.endswith(".sql")
)


@pytest.fixture
def empty_database(platform) -> Iterator[Ports]:
    """Ports on a database of its own, empty, on the platform's embedded server."""
    server = platform.settings.database_url
    name = f"migrate_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    ports = Ports(
        platform.settings.model_copy(update={"database_url": make_conninfo(server, dbname=name)})
    )
    yield ports
    ports.close()
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def recorded_versions(ports: Ports) -> list[str]:
    with ports.database.transaction() as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    return [row["version"] for row in rows]


def with_extra_migration(folder: Path, name: str, sql: str) -> Path:
    """The shipped migrations plus one more, as the next release would ship them."""
    for item in (resources.files("coaching") / "migrations").iterdir():
        if item.name.endswith(".sql"):
            (folder / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / name).write_text(sql, encoding="utf-8")
    return folder


def test_create_applies_every_migration_from_empty_and_scoped_work_runs_as_coach_app(
    empty_database: Ports,
) -> None:
    # Given a database with nothing in it / When the stack is created
    reply = lambda_handler(load_event("migrate_create"), CONTEXT, ports=empty_database)

    # Then every shipped migration is applied, in order, and reported
    assert reply["PhysicalResourceId"] == PHYSICAL_RESOURCE_ID
    assert reply["Data"] == {"Applied": ",".join(SHIPPED), "AppliedCount": str(len(SHIPPED))}
    assert recorded_versions(empty_database) == SHIPPED
    # And an organization's transaction runs as the restricted role, as the functions' will
    with empty_database.database.transaction(uuid.uuid4()) as conn:
        assert conn.execute("SELECT current_user AS who").fetchone()["who"] == "coach_app"


def test_a_second_run_applies_nothing(empty_database: Ports) -> None:
    # Given a migrated database
    lambda_handler(load_event("migrate_create"), CONTEXT, ports=empty_database)

    # When the next deploy updates the resource with nothing new
    reply = lambda_handler(load_event("migrate_update"), CONTEXT, ports=empty_database)

    # Then nothing is applied and the resource keeps its id (no replacement, no Delete)
    assert reply == {
        "PhysicalResourceId": PHYSICAL_RESOURCE_ID,
        "Data": {"Applied": "-", "AppliedCount": "0"},
    }
    assert recorded_versions(empty_database) == SHIPPED


def test_an_update_after_a_new_migration_applies_only_it(
    empty_database: Ports, tmp_path: Path
) -> None:
    # Given a database migrated by the last release, and a release with one more migration
    lambda_handler(load_event("migrate_create"), CONTEXT, ports=empty_database)
    folder = with_extra_migration(
        tmp_path, "9001_probe.sql", "CREATE TABLE probe (id INT PRIMARY KEY);"
    )

    # When the deploy updates the resource
    reply = lambda_handler(
        load_event("migrate_update"), CONTEXT, ports=empty_database, migrations=folder
    )

    # Then only the new one is applied
    assert reply["Data"] == {"Applied": "9001_probe", "AppliedCount": "1"}
    assert recorded_versions(empty_database) == [*SHIPPED, "9001_probe"]
    with empty_database.database.transaction() as conn:
        assert conn.execute("SELECT to_regclass('probe') IS NOT NULL AS made").fetchone()["made"]


def test_a_failing_migration_names_itself_and_applies_nothing(
    empty_database: Ports, tmp_path: Path
) -> None:
    # Given a migrated database and a release whose two new migrations fail at the second
    lambda_handler(load_event("migrate_create"), CONTEXT, ports=empty_database)
    folder = with_extra_migration(tmp_path, "9001_good.sql", "CREATE TABLE good (id INT);")
    (folder / "9002_bad.sql").write_text("CREATE TABLE bad (id INT); SELEC 1;", encoding="utf-8")

    # When the deploy updates the resource / Then it fails, naming the migration and why
    with pytest.raises(MigrationFailed) as failure:
        lambda_handler(
            load_event("migrate_update"), CONTEXT, ports=empty_database, migrations=folder
        )
    assert failure.value.version == "9002_bad"
    assert "Migration 9002_bad failed: 42601" in str(failure.value)  # syntax_error
    assert "Nothing was applied" in str(failure.value)
    # And the database is as it was: the good one is rolled back with it
    assert recorded_versions(empty_database) == SHIPPED
    with empty_database.database.transaction() as conn:
        row = conn.execute("SELECT to_regclass('good') AS good, to_regclass('bad') AS bad")
        assert row.fetchone() == {"good": None, "bad": None}


def test_delete_touches_no_database(platform) -> None:
    # Given ports with no database at all (any use of it would raise)
    nowhere = Ports(platform.settings.model_copy(update={"database_url": None}))

    # When the stack (or the resource) is deleted / Then the schema and data stay
    reply = lambda_handler(load_event("migrate_delete"), CONTEXT, ports=nowhere)
    assert reply == {"PhysicalResourceId": PHYSICAL_RESOURCE_ID}
    assert "database" not in nowhere.__dict__
