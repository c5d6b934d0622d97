"""Lambda: the search index's daily backup (EventBridge Scheduler, cdk/exports.py).

Every organization's indexed passages with their vectors and metadata, as Parquet partitioned
by date with a checksum manifest written last, into the exports bucket under
`search-backups/` (kept coaching:searchBackupRetentionDays). `coach search restore DATE`
rebuilds the indexes from one.
"""

import datetime as dt

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.adapters.aws.s3_export_files import BACKUP_PREFIX, S3ExportFiles
from coaching.composition import Ports, lambda_ports
from coaching.observability import MetricUnit, logger, metrics, tracer
from coaching.ports.search_backup import BackupFiles
from coaching.usecases.search_backup import daily_backup


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(
    event: dict,
    context,
    ports: Ports | None = None,
    files: BackupFiles | None = None,
    now: dt.datetime | None = None,
) -> dict:
    ports = ports or lambda_ports()
    files = files or S3ExportFiles.from_settings(ports.settings, BACKUP_PREFIX)
    manifest = daily_backup(ports.search_backup_ports, files, now or dt.datetime.now(dt.UTC))
    metrics.add_metric(name="PassagesBackedUp", unit=MetricUnit.Count, value=manifest.rows)
    summary = {
        "date": manifest.date,
        "rows": manifest.rows,
        "files": len(manifest.files),
        "organizations": len(manifest.organizations),
    }
    logger.info("search backup written", extra=summary)
    return summary
