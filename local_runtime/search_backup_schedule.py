"""`coach serve` backs the search index up once a day (AWS: functions/search_backup on a daily
schedule, calling the same `daily_backup`). It looks every hour, so a server started at any
time backs up within the hour; a day whose manifest is there already is skipped (a restart
never backs up twice), and day folders older than the days kept are removed. The clock is
injected, so tests decide what "today" is without waiting."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from coaching.adapters.local.backup_files import LocalBackupFiles
from coaching.usecases.search_backup import (
    BACKUP_FOLDER,
    BackupManifest,
    BackupPorts,
    daily_backup,
    day_folder,
    manifest_path,
)
from local_runtime.periodic import Periodic
from local_runtime.send_schedule import utc_now

log = logging.getLogger("coach.search_backup")
HOUR_SECONDS = 60 * 60.0


class SearchBackupSchedule(Periodic):
    def __init__(
        self,
        ports: BackupPorts,
        root: Path,
        *,
        keep_days: int,
        clock: Callable[[], dt.datetime] = utc_now,
        interval_seconds: float = HOUR_SECONDS,
    ) -> None:
        super().__init__("search-backup", interval_seconds)
        self._ports = ports
        self._files = LocalBackupFiles(root)
        self._keep_days = keep_days
        self._clock = clock

    def run_once(self) -> BackupManifest | None:
        """Today's backup, if it was not made yet (None: already there, or it failed)."""
        now = self._clock()
        day = now.astimezone(dt.UTC).date()
        try:
            if self._files.exists(manifest_path(day)):
                return None
            manifest = daily_backup(self._ports, self._files, now)
        except Exception:  # noqa: BLE001 - the server keeps serving; the next round tries again
            log.exception("the search index could not be backed up")
            return None
        log.info(
            "search index backed up: %d passage(s) of %d organization(s)",
            manifest.rows,
            len(manifest.organizations),
        )
        self._forget_before(day - dt.timedelta(days=self._keep_days - 1))
        return manifest

    def _forget_before(self, oldest_kept: dt.date) -> None:
        folder = self._files.path(BACKUP_FOLDER)
        for day_path in folder.glob("date=*"):
            try:
                day = dt.date.fromisoformat(day_path.name.removeprefix("date="))
            except ValueError:
                continue  # not one of ours: left alone
            if day < oldest_kept and day_path == self._files.path(day_folder(day)):
                shutil.rmtree(day_path)
