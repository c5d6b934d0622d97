"""Starts the local platform's parts in one process: database, migrations, state machine."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from coaching import composition
from coaching.adapters.postgres import PostgresExecutionRecords
from coaching.config import Settings, get_settings, reset_settings
from coaching.usecases.compensate import INTERRUPTED, compensate
from coaching.usecases.contact_encryption import encrypt_plaintext_contacts
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import CompensationInput
from local_runtime.embedded_postgres import start_embedded_postgres
from local_runtime.execution_support import LocalExecutionSupport
from local_runtime.workflow import LocalWorkflow


@dataclass
class LocalPlatform:
    settings: Settings
    deps: Dependencies
    workflow: LocalWorkflow
    records: PostgresExecutionRecords
    migrations_applied: list[str]

    def support(self) -> LocalExecutionSupport:
        """Support staff's operations, scoped to this install's organization."""
        return LocalExecutionSupport(
            self.deps, self.records, self.workflow, self.settings.default_organization_id
        )


def configure_environment(log_level: str = "INFO") -> None:
    """Powertools defaults for a process that is not a Lambda; set before handlers import."""
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ["POWERTOOLS_LOG_LEVEL"] = log_level
    # moto's interpreter logs every caught task failure with a stack: the saga handles them.
    logging.getLogger("moto").setLevel(logging.CRITICAL)


def start_local_platform(log_level: str = "INFO") -> LocalPlatform:
    configure_environment(log_level)
    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    if not settings.database_url:
        os.environ["COACH_DATABASE_URL"] = start_embedded_postgres(settings.pgdata_dir)
        reset_settings()
        composition.reset()
        settings = get_settings()
    database = composition.database()
    applied = database.migrate()
    # Contact details kept as plaintext before migration 0012: SQL has no key to encrypt them.
    encrypt_plaintext_contacts(composition.contact_details())
    deps = composition.dependencies()
    deps.store.ensure_organization(settings.default_organization_id, settings.organization_name)
    platform = _wire(settings, deps, applied)
    compensate_abandoned_runs(deps, platform.records)
    return platform


def join_local_platform(log_level: str = "INFO") -> LocalPlatform:
    """Another process of a started platform (a `coach serve` worker): the database is up and
    migrated (COACH_DATABASE_URL, inherited, names it), so this one only wires its ports."""
    configure_environment(log_level)
    return _wire(get_settings(), composition.dependencies(), [])


def _wire(settings: Settings, deps: Dependencies, applied: list[str]) -> LocalPlatform:
    records = PostgresExecutionRecords(composition.database())
    workflow = LocalWorkflow(recorder=records)
    platform = LocalPlatform(settings, deps, workflow, records, applied)
    composition.use_execution_support(
        lambda org: LocalExecutionSupport(deps, records, workflow, org)
    )
    composition.use_workflow(workflow)  # the upload routes start the pipeline in this process
    return platform


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
