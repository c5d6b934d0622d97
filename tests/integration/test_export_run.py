"""An export run end to end on PostgreSQL and a folder: every entity's file read back equals
its rows, the manifest's checksums, the run record, the audit entry; incremental runs of a
schedule (a failed run never advances the watermark); a failed run resumed."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from coaching.adapters.local.export_files import LocalExportFiles
from coaching.adapters.postgres.export_rows import PostgresExportRows
from coaching.domain.errors import Conflict, NotFound
from coaching.exports.formats import csv_value
from coaching.exports.schemas import ENTITIES, SCHEMA_VERSION, SCHEMAS
from coaching.usecases.export_run import ExportRequest, run_export
from tests.export_data import approve_all, flag_turns, practice, rename_client
from tests.local_ports import ports

pytestmark = pytest.mark.integration


@pytest.fixture
def elenas(platform, organization):
    found = practice(platform, organization)
    approve_all(organization)
    return found


def without_overlap():
    """The platform's export ports, reading exactly from the last watermark: these tests tell
    one run's changes from the next's."""
    return dataclasses.replace(ports().export_ports, watermark_overlap=dt.timedelta(0))


def request(org, format="csv", **options) -> ExportRequest:
    options.setdefault("coach_ids", None)
    return ExportRequest(organization_id=org, actor="user:tester", format=format, **options)


def expected_rows(org, entity, **options) -> list[dict]:
    source = PostgresExportRows(ports().database)
    rows = list(
        source.rows(
            org,
            entity,
            coach_ids=options.get("coach_ids"),
            since=None,
            include_sensitive=options.get("include_sensitive", False),
        )
    )
    if entity == "clients":  # the run adds each client's email (none recorded here)
        rows = [{**row, "email": None} for row in rows]
    return rows


def read_back(folder: Path, format: str, entity: str, manifest) -> list[dict]:
    schema = SCHEMAS[entity]
    paths = [folder / f["path"] for f in manifest.as_dict()["files"] if f["entity"] == entity]
    if format == "parquet":
        return [row for path in paths for row in pq.read_table(path).to_pylist()]
    (path,) = paths
    if format == "csv":
        header, *lines = csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline=""))
        assert header == list(schema.names)
        return [
            {c.name: csv_value(c, cell) for c, cell in zip(schema.columns, line, strict=True)}
            for line in lines
        ]
    if format == "json":
        document = json.loads(path.read_text())
        assert document["schema_version"] == SCHEMA_VERSION
        return document["rows"]
    return [json.loads(line) for line in path.read_text().splitlines()]


def as_json(rows: list[dict]) -> list[dict]:
    return json.loads(json.dumps(rows, default=lambda v: v.isoformat()))


@pytest.mark.parametrize("format", ["json", "jsonl", "csv", "parquet"])
def test_each_format_reads_back_as_the_rows(elenas, tmp_path, format):
    org = elenas["org"]
    manifest = run_export(ports().export_ports, request(org, format), LocalExportFiles(tmp_path))
    assert manifest.schema_version == SCHEMA_VERSION
    for entity in ENTITIES:
        expected = expected_rows(org, entity)
        assert expected, entity
        back = read_back(tmp_path, format, entity, manifest)
        if format in ("json", "jsonl"):
            expected = as_json(expected)
        assert back == expected, entity
        assert manifest.row_counts[entity] == len(expected)


def test_a_run_has_a_manifest_a_record_and_an_audit_entry_without_content(elenas, tmp_path):
    org = elenas["org"]
    manifest = run_export(
        ports().export_ports,
        request(org, "csv", bom=True, source="cli"),
        LocalExportFiles(tmp_path),
    )
    files = manifest.as_dict()["files"]
    assert [f["entity"] for f in files] == list(ENTITIES)
    for file in files:
        data = (tmp_path / file["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == file["sha256"]
        assert len(data) == file["bytes"]
        assert data.startswith(b"\xef\xbb\xbf")
    run = ports().export_ports.runs.get(org, manifest.run_id)
    assert run.status == "succeeded"
    assert run.row_counts == manifest.row_counts
    assert run.manifest == manifest.as_dict()
    assert run.watermark == manifest.watermark
    entry = next(
        e for e in ports().audit_log.entries(org, resource_type="export") if e.action == "export"
    )
    assert (entry.actor, entry.resource_id, entry.source) == (
        "user:tester",
        str(manifest.run_id),
        "cli",
    )
    assert entry.details["rows"] == manifest.row_counts
    assert entry.details["outcome"] == "succeeded"
    assert entry.details["scope"] == "organization"
    assert entry.details["include_sensitive"] is False
    assert {elenas["priya"], elenas["tomas"]} <= set(entry.client_ids)
    # Never content: no summary text in the audit record
    assert "budget" not in json.dumps(entry.details)


def test_asking_for_sensitive_items_is_audited(elenas, tmp_path):
    org = elenas["org"]
    flag_turns(org, elenas["sessions"][0], [4])
    plain = run_export(ports().export_ports, request(org), LocalExportFiles(tmp_path / "a"))
    asked = run_export(
        ports().export_ports,
        request(org, include_sensitive=True),
        LocalExportFiles(tmp_path / "b"),
    )
    assert asked.row_counts["action_items"] == plain.row_counts["action_items"] + 1
    entries = {
        e.resource_id: e.details["include_sensitive"]
        for e in ports().audit_log.entries(org, resource_type="export")
    }
    assert entries[str(plain.run_id)] is False
    assert entries[str(asked.run_id)] is True


def test_a_coach_exports_only_their_own_clients(elenas, tmp_path):
    org = elenas["org"]
    stranger = request(org, "jsonl", coach_ids=frozenset({elenas["stranger"]}))
    manifest = run_export(ports().export_ports, stranger, LocalExportFiles(tmp_path))
    assert set(manifest.row_counts.values()) == {0}
    entry = ports().audit_log.entries(org, resource_type="export")[0]
    assert entry.details["coach_ids"] == [str(elenas["stranger"])]


def add_schedule(org) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "INSERT INTO export_schedules (organization_id, created_by, cron, format)"
            " VALUES (%s, 'user:tester', '0 6 * * *', 'jsonl') RETURNING id",
            (org,),
        ).fetchone()["id"]


def client_names(folder: Path, manifest) -> list[str]:
    return [row["name"] for row in read_back(folder, "jsonl", "clients", manifest)]


def test_an_incremental_run_carries_only_what_changed_since_the_last(elenas, tmp_path):
    org = elenas["org"]
    schedule = add_schedule(org)
    deps = without_overlap()
    scheduled = request(org, "jsonl", schedule_id=schedule)
    first = run_export(deps, scheduled, LocalExportFiles(tmp_path / "1"))
    assert sorted(client_names(tmp_path / "1", first)) == ["Priya Raman", "Tomas Berg"]
    assert first.since is None
    # A change after run 1 appears in run 2 only
    rename_client(org, elenas["tomas"], "Tomas Bergson")
    second = run_export(deps, scheduled, LocalExportFiles(tmp_path / "2"))
    assert second.since == first.watermark
    assert client_names(tmp_path / "2", second) == ["Tomas Bergson"]
    assert second.row_counts == {
        "sessions": 0,
        "clients": 1,
        "summaries": 0,
        "action_items": 0,
    }
    # Nothing changed since: nothing goes
    third = run_export(deps, scheduled, LocalExportFiles(tmp_path / "3"))
    assert set(third.row_counts.values()) == {0}


class FailingOn:
    """Files that fail when the run reaches ``entity``."""

    def __init__(self, inner: LocalExportFiles, entity: str) -> None:
        self.inner, self.entity = inner, entity

    @contextlib.contextmanager
    def open_write(self, path: str):
        if path.startswith(self.entity):
            raise OSError("disk full")
        with self.inner.open_write(path) as file:
            yield file

    def sha256(self, path: str):
        return self.inner.sha256(path)

    def url(self, path: str, expires_in: int) -> str:
        return self.inner.url(path, expires_in)


def test_a_failed_run_leaves_the_next_one_everything_since_the_last_success(elenas, tmp_path):
    org = elenas["org"]
    schedule = add_schedule(org)
    deps = without_overlap()
    scheduled = request(org, "jsonl", schedule_id=schedule)
    first = run_export(deps, scheduled, LocalExportFiles(tmp_path / "1"))
    rename_client(org, elenas["tomas"], "Tomas Bergson")
    # Run 2 fails part-way (after clients, at summaries)
    with pytest.raises(OSError, match="disk full"):
        run_export(deps, scheduled, FailingOn(LocalExportFiles(tmp_path / "2"), "summaries"))
    failed = deps.runs.list_runs(org, schedule_id=schedule)[0]
    assert failed.status == "failed"
    assert "OSError" in failed.error and "disk full" not in failed.error
    audited = ports().audit_log.entries(org, resource_type="export")[0]
    assert (audited.resource_id, audited.details["outcome"]) == (str(failed.id), "failed")
    assert deps.runs.last_success_watermark(org, schedule) == first.watermark
    # Run 3 has everything since run 1: run 2's change and a later one
    rename_client(org, elenas["priya"], "Priya Raman-Shah")
    third = run_export(deps, scheduled, LocalExportFiles(tmp_path / "3"))
    assert third.since == first.watermark
    assert sorted(client_names(tmp_path / "3", third)) == ["Priya Raman-Shah", "Tomas Bergson"]


def test_a_failed_run_resumes_keeping_the_files_it_finished(elenas, tmp_path):
    org = elenas["org"]
    files = LocalExportFiles(tmp_path)
    with pytest.raises(OSError):
        run_export(ports().export_ports, request(org), FailingOn(files, "summaries"))
    runs = ports().export_ports.runs
    run = runs.list_runs(org)[0]
    assert [f["entity"] for f in run.manifest["files"]] == ["sessions", "clients"]
    # A kept file changed since: written again; the other kept as it was
    (tmp_path / "clients.csv").write_text("tampered")
    heard = []

    def progress(entity, rows, *, done=False, skipped=False):
        if done:
            heard.append((entity, skipped))

    manifest = run_export(
        ports().export_ports, request(org, run_id=run.id), files, progress=progress
    )
    assert manifest.run_id == run.id
    assert heard == [
        ("sessions", True),
        ("clients", False),
        ("summaries", False),
        ("action_items", False),
    ]
    assert runs.get(org, run.id).status == "succeeded"
    assert manifest.since == run.since and manifest.watermark == run.watermark
    for file in manifest.as_dict()["files"]:
        assert files.sha256(file["path"]) == file["sha256"]
    # A finished run does not run again
    with pytest.raises(Conflict):
        run_export(ports().export_ports, request(org, run_id=run.id), files)


def test_a_mapping_renames_the_columns(elenas, tmp_path):
    org = elenas["org"]
    manifest = run_export(
        ports().export_ports, request(org, "csv", mapping="hubspot"), LocalExportFiles(tmp_path)
    )
    header = (tmp_path / "clients.csv").read_text().splitlines()[0].split(",")
    assert {"firstname", "lastname"} <= set(header)
    assert manifest.row_counts["clients"] == 2
    with pytest.raises(NotFound, match="no export mapping named 'nope'"):
        run_export(ports().export_ports, request(org, mapping="nope"), LocalExportFiles(tmp_path))
