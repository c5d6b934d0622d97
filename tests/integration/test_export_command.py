"""`coach export run` and `coach export schemas`: the manifest on stdout with --json, the
files in --out, usage errors in the README's shape."""

from __future__ import annotations

import hashlib
import json

import pytest
from typer.testing import CliRunner

from coaching.exports.schemas import ENTITIES, SCHEMA_VERSION, schemas_document
from local_runtime.cli import app
from tests.local_ports import ports

pytestmark = pytest.mark.integration


def test_run_writes_a_file_per_entity_and_prints_the_manifest(platform, tmp_path):
    result = CliRunner().invoke(
        app, ["export", "run", "--format", "csv", "--out", str(tmp_path), "--bom", "--json"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert {"files", "schema_version"} <= set(manifest)
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert [f["entity"] for f in manifest["files"]] == list(ENTITIES)
    for file in manifest["files"]:
        # The keys, and each file's size (counted as written)
        assert set(file) == {"entity", "path", "rows", "sha256", "bytes"}
        assert file["path"] == f"{file['entity']}.csv"
        data = (tmp_path / file["path"]).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert hashlib.sha256(data).hexdigest() == file["sha256"]
        assert len(data) == file["bytes"]
    # Audited as the local operator's export of the whole organization
    org = platform.settings.default_organization_id
    entry = ports().audit_log.entries(org, resource_type="export")[0]
    assert (entry.actor, entry.resource_id) == ("system:coach-export", manifest["run_id"])
    assert entry.details["scope"] == "organization"


def test_run_without_json_says_what_it_wrote(platform, tmp_path):
    result = CliRunner().invoke(
        app, ["export", "run", "--format", "parquet", "--out", str(tmp_path / "p")]
    )
    assert result.exit_code == 0, result.output
    assert "Exported" in result.stdout
    assert "schema version 1" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "wrong"),
    [
        (["--format", "xml"], "--format"),
        (["--format", "csv", "--since", "last week"], "last week"),
        (["--format", "csv", "--mapping", "mailchimp"], "mailchimp"),
    ],
)
def test_wrong_usage_exits_2_with_the_error_object(platform, tmp_path, arguments, wrong):
    result = CliRunner().invoke(
        app, ["export", "run", *arguments, "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "COACH_400"
    assert wrong in error["message"]
    assert not any(tmp_path.iterdir())


def test_schemas_prints_the_published_document():
    result = CliRunner().invoke(app, ["export", "schemas", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == schemas_document()
    readable = CliRunner().invoke(app, ["export", "schemas"])
    assert "action_items (version 1, key action_item_id)" in readable.stdout


def test_a_failed_run_resumes_into_the_same_folder(platform, tmp_path):
    from coaching.adapters.local.export_files import LocalExportFiles
    from coaching.usecases.export_run import ExportRequest, run_export
    from tests.integration.test_export_run import FailingOn

    # Given a run of the default organization that failed at summaries
    org = platform.settings.default_organization_id
    first = ExportRequest(
        organization_id=org, actor="system:coach-export", coach_ids=None, format="jsonl"
    )
    with pytest.raises(OSError):
        run_export(ports().export_ports, first, FailingOn(LocalExportFiles(tmp_path), "summaries"))
    failed = ports().export_ports.runs.list_runs(org)[0]
    # When it is resumed from the command line
    result = CliRunner().invoke(
        app,
        [
            "export",
            "run",
            "--format",
            "csv",
            "--out",
            str(tmp_path),
            "--resume",
            str(failed.id),
            "--json",
        ],
    )
    # Then it finishes as first asked
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["run_id"] == str(failed.id)
    assert [f["path"] for f in manifest["files"]] == [f"{e}.jsonl" for e in ENTITIES]
    # And a finished run is refused
    again = CliRunner().invoke(
        app,
        [
            "export",
            "run",
            "--format",
            "csv",
            "--out",
            str(tmp_path),
            "--resume",
            str(failed.id),
            "--json",
        ],
    )
    assert again.exit_code == 1
    assert json.loads(again.stdout)["error"]["code"] == "COACH_409"
