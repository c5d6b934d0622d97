"""`coach search backup` and `coach search restore FILE|DATE`: the search index's backup
(Parquet and a checksum manifest under `$COACH_HOME/exports/search-backups/`) and its
restore, which prints what differed (usecases/search_backup.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error, fail
from local_runtime.cli_progress import progress_bars

if TYPE_CHECKING:
    from coaching.config import Settings
    from coaching.ports.search_backup import BackupSource
    from coaching.usecases.search_backup import ReconciliationReport
    from local_runtime.platform import LocalPlatform

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_backup_commands(search: typer.Typer) -> None:
    search.command(
        "backup",
        epilog="Examples:\n\n  coach search backup   (every organization, today's folder)"
        "\n\n  coach search backup --out /mnt/backups --json",
    )(backup_command)
    search.command(
        "restore",
        epilog="Examples:\n\n  coach search restore 2026-11-30"
        "\n\n  coach search restore /mnt/backups/search-backups/date=2026-11-30/manifest.json"
        " --json",
    )(restore_command)


def backup_command(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write under (default: $COACH_HOME/exports)"),
    ] = None,
    organization: Annotated[
        uuid.UUID | None,
        typer.Option("--organization", help="Only this organization's id (default: all)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON")] = False,
) -> None:
    """Back up the search index: every indexed passage with its vector and metadata, as
    Parquet under search-backups/date=YYYY-MM-DD/organization=<id>/, with a manifest of
    each file's SHA-256 and row count (what `coach serve` does once a day)."""
    from coaching.adapters.local.backup_files import LocalBackupFiles
    from coaching.usecases.search_backup import backup, manifest_path

    context = coach_context(ctx)
    root = out or context.settings.exports_dir
    with exit_on_coaching_error(as_json):
        platform = context.platform()
        _organization_exists(platform, organization, as_json)
        day = dt.datetime.now(dt.UTC).date()
        with progress_bars(enabled=not as_json) as show:
            manifest = backup(
                platform.ports.search_backup_ports,
                LocalBackupFiles(root),
                day,
                organizations=None if organization is None else [organization],
                progress=lambda step: show(
                    step.organization_id, "Backing up passages", step.done, step.total
                ),
                actor="system:coach-search-backup",
            )
    where = root / manifest_path(day)
    if as_json:
        sys.stdout.write(json.dumps({"manifest": str(where), **manifest.to_json()}) + "\n")
        return
    models = ", ".join(f"{name or 'no vector'}: {n}" for name, n in manifest.models.items())
    typer.echo(
        f"Backed up {manifest.rows} passage(s) of {len(manifest.organizations)} "
        f"organization(s) ({models or 'none'}) to {where}"
    )


def restore_command(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|DATE",
            help="A backup's manifest.json (or its folder), or a day (YYYY-MM-DD) under "
            "$COACH_HOME/exports/search-backups (with COACH_RUNTIME=aws: the daily backup "
            "of that day in the exports bucket)",
        ),
    ],
    organization: Annotated[
        uuid.UUID | None,
        typer.Option("--organization", help="Only this organization's id (default: all)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Restore the search index from a backup: every file is checked against the manifest's
    SHA-256 first (a changed or truncated one is refused, nothing changed), then passages
    missing or different are written back as backed up (never embedded again) and both
    indexes rebuilt. What was deleted or erased since never comes back. Prints what differed."""
    from coaching.ports.search_index import SearchBackendUnavailable
    from coaching.usecases.search_backup import restore

    context = coach_context(ctx)
    files, manifest_name = backup_source(context.settings, source, as_json)
    with exit_on_coaching_error(as_json):
        platform = context.platform()
        _organization_exists(platform, organization, as_json)
        try:
            with progress_bars(enabled=not as_json) as show:
                report = restore(
                    platform.ports.search_backup_ports,
                    files,
                    manifest_name=manifest_name,
                    organizations=None if organization is None else {organization},
                    progress=lambda step: show(
                        (step.organization_id, step.phase),
                        "Checking checksums" if step.phase == "verifying" else "Restoring",
                        step.done,
                        step.total,
                    ),
                    actor="system:coach-search-restore",
                )
        except SearchBackendUnavailable as error:
            raise fail(
                f"{error} What was restored is kept: run the restore again to finish.",
                as_json=as_json,
                code="COACH_503",
            ) from None
    if as_json:
        sys.stdout.write(json.dumps(report.to_json()) + "\n")
        return
    _print_report(report)


def backup_source(settings: Settings, source: str, as_json: bool) -> tuple[BackupSource, str]:
    """Where the backup's files are read from, and its manifest's name, from a day or a
    path. A day in AWS (COACH_RUNTIME=aws) is the daily backup's folder in the exports
    bucket, read in place; locally the one under $COACH_HOME/exports."""
    from coaching.adapters.local.backup_files import LocalBackupFiles
    from coaching.usecases.search_backup import MANIFEST_NAME, day_folder

    if _DATE.match(source):
        try:
            day = dt.date.fromisoformat(source)
        except ValueError:
            raise fail(f"{source} is not a date.", as_json=as_json, code="COACH_422") from None
        if settings.runtime == "aws":
            return _bucket_backup(settings, day_folder(day)), MANIFEST_NAME
        folder = settings.exports_dir / day_folder(day)
        if not (folder / MANIFEST_NAME).is_file():
            raise fail(
                f"There is no search backup of {source} under {settings.exports_dir}.",
                as_json=as_json,
                code="COACH_404",
            )
        return LocalBackupFiles(folder), MANIFEST_NAME
    path = Path(source)
    if path.is_dir():
        path /= MANIFEST_NAME
    if not path.is_file():
        raise fail(f"There is no backup manifest at {source}.", as_json=as_json, code="COACH_404")
    return LocalBackupFiles(path.parent), path.name


def _bucket_backup(settings: Settings, folder: str) -> BackupSource:
    """A day's folder of the daily backups in the exports bucket (the search_backup
    function writes under its own prefix: search-backups/ in the bucket)."""
    from coaching.adapters.aws.s3_export_files import BACKUP_PREFIX, S3ExportFiles

    return S3ExportFiles.from_settings(settings, f"{BACKUP_PREFIX}{folder}/")


def _organization_exists(
    platform: LocalPlatform, organization: uuid.UUID | None, as_json: bool
) -> None:
    if organization is not None and not platform.deps.organizations.organization_exists(
        organization
    ):
        raise fail(
            f"Organization {organization} does not exist.", as_json=as_json, code="COACH_404"
        )


def _print_report(report: ReconciliationReport) -> None:
    typer.echo(f"Restored the search backup of {report.date} (taken {report.taken_at}):")
    for org in report.organizations:
        changed = ", ".join(f"{name} {n}" for name, n in org.changed.items() if n)
        typer.echo(
            f"  organization {org.organization_id}: {org.in_backup} in the backup; "
            f"{org.restored_missing} missing restored, {org.restored_changed} changed restored"
            f"{f' ({changed})' if changed else ''}, {org.unchanged} unchanged; "
            f"{org.kept_not_in_backup} only in the index kept; {org.skipped_erased} of deleted "
            f"or erased sessions or clients skipped; {org.skipped_changed_since} of "
            f"{len(org.sessions_changed_since)} session(s) changed since skipped"
        )
    if any(org.sessions_changed_since for org in report.organizations):
        typer.echo(
            "Sessions changed since the backup keep what the index holds now: "
            "`coach search reindex` indexes any of them left without passages."
        )
