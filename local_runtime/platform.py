"""Starts the local platform's parts in one process: database, migrations, state machine."""

from __future__ import annotations

import logging
import os
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cached_property

from coaching.adapters.local.execution_support import LocalExecutionSupport
from coaching.adapters.local.stepfunctions import StepFunctionsEngine, interpreter_cache
from coaching.adapters.local.workflow import LocalWorkflow
from coaching.adapters.postgres import PostgresExecutionRecords
from coaching.composition import Ports
from coaching.config import Settings
from coaching.usecases.compensate import INTERRUPTED, compensate
from coaching.usecases.contact_encryption import encrypt_plaintext_contacts
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import CompensationInput
from local_runtime.embedded_postgres import start_embedded_postgres
from local_runtime.pipeline import pipeline_definition, pipeline_engine


class LocalPorts(Ports):
    """The local runtime's ports: the pipeline runs in this process, on moto's interpreter,
    its runs recorded in PostgreSQL; everything else as ``Ports`` builds it locally."""

    @cached_property
    def execution_records(self) -> PostgresExecutionRecords:
        return PostgresExecutionRecords(self.database)

    @cached_property
    def engine(self) -> StepFunctionsEngine:
        """The one engine of this process: each step's handler bound to these ports."""
        return pipeline_engine(self.dependencies)

    @cached_property
    def workflow(self) -> LocalWorkflow:
        return LocalWorkflow(self.engine, recorder=self.execution_records)

    def execution_support(self, org: uuid.UUID) -> LocalExecutionSupport:
        return LocalExecutionSupport(self.execution_records, self.workflow, org)


@dataclass(frozen=True)
class LocalPlatform:
    """The local runtime, started: its ports, built once, handed to every part of it."""

    ports: LocalPorts
    migrations_applied: list[str]

    @property
    def settings(self) -> Settings:
        return self.ports.settings

    @property
    def deps(self) -> Dependencies:
        return self.ports.dependencies

    @property
    def workflow(self) -> LocalWorkflow:
        return self.ports.workflow

    @property
    def engine(self) -> StepFunctionsEngine:
        return self.ports.engine

    @property
    def records(self) -> PostgresExecutionRecords:
        return self.ports.execution_records

    def support(self) -> LocalExecutionSupport:
        """Support staff's operations, scoped to this install's organization."""
        return self.ports.execution_support(self.settings.default_organization_id)

    def close(self) -> None:
        """Closes the database pool (before the embedded database stops at exit)."""
        self.ports.close()


def configure_environment(log_level: str = "INFO") -> None:
    """Powertools defaults for a process that is not a Lambda; set before handlers import."""
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ["POWERTOOLS_LOG_LEVEL"] = log_level
    # The shared logger may already exist (imported before this ran) with the level of an
    # inherited POWERTOOLS_LOG_LEVEL: at ERROR, `coach serve` would drop the security
    # events (WARNING) it counts. This process's choice wins.
    from coaching.observability import logger

    logger.setLevel(log_level)
    # moto's interpreter logs every caught task failure with a stack: the saga handles them.
    logging.getLogger("moto").setLevel(logging.CRITICAL)


def start_local_platform(
    settings: Settings,
    log_level: str = "INFO",
    embedded_database: Future[str] | None = None,
) -> LocalPlatform:
    """Starts the database (embedded, unless ``settings`` name one), migrates it, and
    builds this process's ports once: its URL goes into the settings, not the environment.
    ``settings`` are the caller's (the CLI reads them once, in its callback).
    ``embedded_database``: the embedded server's URL when the caller started it already
    (`embedded_postgres.start_in_background`); without, it is started here if needed."""
    configure_environment(log_level)
    settings.home.mkdir(parents=True, exist_ok=True)
    if not settings.database_url:
        if embedded_database is not None and not embedded_database.done():
            parse_pipeline_definition()  # meanwhile, rather than after
        url = (
            embedded_database.result()
            if embedded_database is not None
            else start_embedded_postgres(settings.pgdata_dir)
        )
        settings = settings.model_copy(update={"database_url": url})
    ports = LocalPorts(settings)
    applied = ports.database.migrate()
    # Contact details kept as plaintext before migration 0012: SQL has no key to encrypt them.
    encrypt_plaintext_contacts(ports.contact_details)
    ports.organizations.ensure_organization(
        settings.default_organization_id, settings.organization_name
    )
    compensate_abandoned_runs(ports.dependencies, ports.execution_records)
    return LocalPlatform(ports, applied)


def parse_pipeline_definition() -> None:
    """Parses the ASL file into the interpreter's cache (about 0.2 s of a cold start): done
    while the embedded database boots on its thread, the pipeline's first run finds it parsed.
    On this thread, not another: ANTLR's parsers share their caches unguarded."""
    interpreter_cache.install()
    interpreter_cache.parse_definition(pipeline_definition())


def join_local_platform(settings: Settings, log_level: str = "INFO") -> LocalPlatform:
    """Another process of a started platform (a `coach serve` worker): ``settings`` are the
    starting process's, handed over, so they name its database, up and migrated already;
    this process only builds its own ports (no migrations, no compensation)."""
    configure_environment(log_level)
    return LocalPlatform(LocalPorts(settings), [])


def compensate_abandoned_runs(deps: Dependencies, records: PostgresExecutionRecords) -> int:
    """Runs a crash cut off (their process is gone) become ABORTED and are compensated, so
    nothing half-done stays and support staff can redrive them."""
    orphans = records.abandon_orphans("The platform stopped while this run was in progress.")
    for orphan in orphans:
        payload = orphan["input"]
        compensate(
            deps,
            CompensationInput.model_validate(
                {**payload, "failed_step": INTERRUPTED, "error": {"Error": INTERRUPTED}}
            ),
        )
    return len(orphans)
