"""`coach serve`'s work that must run once however many workers answer HTTP: the first
start's sample, the drop folder, the drop-copies sweep, the retention schedule, scheduled
sends, held coach notices, scheduled exports and the search index's daily backup. The parent
process runs it (workers/server.py); a worker only answers requests."""

from __future__ import annotations

import logging
import threading
from importlib import resources

from coaching.adapters.postgres import PostgresSocketConnections
from local_runtime.drop_copies import DropCopiesSweep
from local_runtime.dropbox import DropFolder
from local_runtime.export_schedule import ExportSchedule
from local_runtime.notice_schedule import NoticeSchedule
from local_runtime.platform import LocalPlatform
from local_runtime.retention_schedule import RetentionSchedule
from local_runtime.search_backup_schedule import SearchBackupSchedule
from local_runtime.send_schedule import SendSchedule

log = logging.getLogger("coach.serve")
SAMPLE_NAME = "team-leads-workshop.vtt"
# At shutdown, how long the sample (well under a second of work) may take to finish.
SAMPLE_JOIN_SECONDS = 10.0


def is_first_start(platform: LocalPlatform) -> bool:
    """Nothing processed yet: decided once, before the drop folder can add sessions."""
    org = platform.settings.default_organization_id
    return platform.deps.sessions.count_sessions(org) == 0


def process_sample(platform: LocalPlatform) -> None:
    """First start: process the bundled sample so there is something to look at."""
    from coaching.usecases.submit_transcript import process_transcript

    org = platform.settings.default_organization_id
    data = (resources.files("local_runtime") / "samples" / SAMPLE_NAME).read_bytes()
    try:
        submission, _ = process_transcript(platform.deps, platform.workflow, org, data, SAMPLE_NAME)
    except Exception as error:  # noqa: BLE001 - the sample is a courtesy: never crash the server
        log.warning("the sample could not be processed: %s", error)
        return
    log.info("sample processed as session %s", submission.session_id)


class BackgroundWork:
    """Started before the workers answer, stopped after they were told to stop."""

    def __init__(self, platform: LocalPlatform) -> None:
        self._platform = platform
        self._drop = DropFolder(platform, platform.settings.dropbox)
        # Copies of deleted sessions leave the drop folder: at start, each minute, after a purge.
        self._copies = DropCopiesSweep(self._drop.forget_deleted_sessions)
        self._retention = RetentionSchedule(
            platform.deps, after_purge=self._drop.forget_deleted_sessions
        )
        self._sends = SendSchedule(platform.ports.sending_ports)
        self._notices = NoticeSchedule(platform.ports.coach_notices)
        self._exports = ExportSchedule(platform.ports.export_job_ports)
        keep_days = platform.settings.search_backup_keep_days
        self._search_backup = (
            SearchBackupSchedule(
                platform.ports.search_backup_ports,
                platform.settings.exports_dir,
                keep_days=keep_days,
            )
            if keep_days
            else None
        )
        self._sample: threading.Thread | None = None

    def start(self) -> None:
        # Sockets of an earlier server (stopped, or killed) are all closed now; cleared before
        # any worker accepts a new one.
        PostgresSocketConnections(self._platform.ports.database).clear()
        if is_first_start(self._platform):
            self._sample = threading.Thread(
                target=process_sample, args=(self._platform,), name="sample", daemon=True
            )
        self._drop.start()
        if self._sample is not None:
            self._sample.start()
        self._copies.start()
        self._retention.start()
        self._sends.start()
        self._notices.start()
        self._exports.start()
        if self._search_backup is not None:
            self._search_backup.start()

    def stop(self) -> None:
        if self._search_backup is not None:
            self._search_backup.stop()
        self._exports.stop()
        self._notices.stop()
        self._sends.stop()
        self._retention.stop()
        self._copies.stop()
        # Let work in progress finish while the database is still up: pgserver stops it
        # when this process exits, and a run cut off there would stay "processing".
        self._drop.stop()
        if self._sample is not None:
            self._sample.join(SAMPLE_JOIN_SECONDS)
