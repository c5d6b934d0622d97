"""The search index's backup and restore on real processed sessions: backup → wipe → restore
gives the same search results; a changed file is refused with nothing changed; what was
erased or deleted after the backup never comes back; one organization's restore touches only
it; the report says what differed, never the text."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import responses
import respx
from botocore.credentials import Credentials
from moto.s3.models import s3_backends
from pinecone import Index

from coaching.adapters.aws.opensearch_index import OpenSearchKeywordIndex, opensearch_client
from coaching.adapters.aws.pinecone_index import PineconeVectorIndex
from coaching.adapters.aws.s3_export_files import BACKUP_PREFIX, S3ExportFiles
from coaching.adapters.local.backup_files import LocalBackupFiles
from coaching.adapters.postgres.search_indexes import INDEXED_DIMENSIONS
from coaching.config import Settings
from coaching.domain.errors import BackupRefused
from coaching.domain.identity import Principal, Role
from coaching.domain.search import SearchFilters
from coaching.ports.search_index import SearchServices
from coaching.usecases.search import SearchRequest, search
from coaching.usecases.search_backup import (
    BackupPorts,
    backup,
    day_folder,
    restore,
)
from local_runtime.cli_search_backup import backup_source
from tests.api_calls import claims_for, delete
from tests.contracts.test_aws_search_indexes_contract import (
    _opensearch_callback,
    _pinecone_side_effect,
)
from tests.local_ports import ports
from tests.moto_scope import scoped_mock_aws
from tests.review_data import add_coach, other_organization, reviewed_session
from tests.samples import variant
from tests.search_services import OpenSearchEmulator, PineconeEmulator

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 11, 30)
QUESTIONS = (
    "struggling to find focus time",
    "delegation",
    "what did they agree to do next week",
    "Priya",
)


@pytest.fixture
def workshop(platform, organization):
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


def _answers(platform, org: uuid.UUID) -> list[list[tuple[str, object, str, float]]]:
    operator = Principal(user_id=uuid.uuid4(), organization_id=org, role=Role.ADMIN)
    answers = []
    for question in QUESTIONS:
        found = search(
            platform.ports.search_ports,
            operator,
            SearchRequest(query=question, limit=10),
            dt.datetime.now(dt.UTC),
        )["results"]
        answers.append(
            [(r["session_id"], r["turn_index"], r["kind"], round(r["score"], 6)) for r in found]
        )
    return answers


def _rows(org: uuid.UUID, where: str = "TRUE", *args) -> list[dict]:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT id, session_id, client_id, text, model FROM search_passages"  # noqa: S608 - test's constant conditions
            f" WHERE organization_id = %s AND {where} ORDER BY id",
            (org, *args),
        ).fetchall()


def _wipe(org: uuid.UUID) -> None:
    with ports().database.transaction(org) as conn:
        conn.execute("DELETE FROM search_passages WHERE organization_id = %s", (org,))


def _back_up(platform, out: Path, *orgs: uuid.UUID):
    return backup(
        platform.ports.search_backup_ports, LocalBackupFiles(out), DAY, organizations=orgs
    )


def _restore(platform, out: Path, **options):
    return restore(
        platform.ports.search_backup_ports, LocalBackupFiles(out / day_folder(DAY)), **options
    )


def test_backup_wipe_restore_answers_the_same_searches(platform, organization, workshop, tmp_path):
    # Given an indexed session and what some questions find in it
    before = _answers(platform, organization)
    assert any(before)
    stored = _rows(organization)
    # When the index is backed up
    manifest = _back_up(platform, tmp_path, organization)
    # Then each file is Parquet with every passage, its vector as float32 and its model
    assert manifest.rows == len(stored)
    [part] = manifest.files
    assert part.path == f"organization={organization}/part-0.parquet"
    table = pq.read_table(tmp_path / day_folder(DAY) / part.path)
    assert table.num_rows == len(stored)
    assert table.schema.field("embedding").type == pa.list_(pa.float32(), INDEXED_DIMENSIONS)
    assert table.schema.field("session_date").type == pa.date32()
    assert sorted(table.column("id").to_pylist()) == sorted(str(r["id"]) for r in stored)
    on_disk = json.loads((tmp_path / day_folder(DAY) / "manifest.json").read_text())
    assert on_disk["models"] == manifest.models == {stored[0]["model"]: len(stored)}
    assert on_disk["files"][0]["sha256"] == part.sha256 and on_disk["date"] == DAY.isoformat()
    # When the index is lost, then restored
    _wipe(organization)
    assert not any(_answers(platform, organization))
    report = _restore(platform, tmp_path)
    # Then the same questions find the same passages, with the same scores
    assert _answers(platform, organization) == before
    assert [r["text"] for r in _rows(organization)] == [r["text"] for r in stored]
    [org_report] = report.organizations
    assert (org_report.restored_missing, org_report.unchanged) == (len(stored), 0)
    assert org_report.skipped_erased == org_report.skipped_changed_since == 0
    assert org_report.indexed == len(stored)
    # And a second restore finds nothing to do
    again = _restore(platform, tmp_path).organizations[0]
    assert (again.restored, again.unchanged) == (0, len(stored))


def test_the_report_says_what_differed_without_any_text(platform, organization, workshop, tmp_path):
    manifest = _back_up(platform, tmp_path, organization)
    first, second, *_ = _rows(organization)
    # Given one passage's text changed, one lost, and a session indexed after the backup
    with ports().database.transaction(organization) as conn:
        conn.execute(
            "UPDATE search_passages SET text = 'overwritten' WHERE id = %s", (first["id"],)
        )
        conn.execute("DELETE FROM search_passages WHERE id = %s", (second["id"],))
    later = reviewed_session(
        platform, organization, workshop.coach_id, content=variant("later")
    ).session_id
    newer = _rows(organization, "session_id = %s", later)
    assert newer
    # When the backup is restored
    report = _restore(platform, tmp_path).to_json()
    # Then the changed and the lost passage are back, the newer session's passages are kept
    assert [
        r["text"] for r in _rows(organization, "id = ANY(%s)", [first["id"], second["id"]])
    ] == [
        first["text"],
        second["text"],
    ]
    [entry] = report["organizations"]
    assert entry["in_backup"] == manifest.rows
    assert (entry["restored_changed"], entry["restored_missing"]) == (1, 1)
    assert entry["changed"] == {"text": 1, "vector": 0, "metadata": 0}
    assert entry["kept_not_in_backup"] == len(newer)
    assert set(entry["kept_ids"]) == {str(r["id"]) for r in newer}
    assert report["totals"]["restored"] == 2
    # And the report names no text
    words = json.dumps(report)
    assert first["text"][:20] not in words and "overwritten" not in words


def test_a_changed_or_truncated_file_is_refused_and_nothing_changes(
    platform, organization, workshop, tmp_path
):
    manifest = _back_up(platform, tmp_path, organization)
    part = tmp_path / day_folder(DAY) / manifest.files[0].path
    original = part.read_bytes()
    _wipe(organization)
    for damaged in (original[:-100], original[:50] + b"X" + original[51:]):
        part.write_bytes(damaged)
        with pytest.raises(BackupRefused, match="not the one the manifest lists"):
            _restore(platform, tmp_path)
        assert _rows(organization) == []
    part.unlink()
    with pytest.raises(BackupRefused, match="missing"):
        _restore(platform, tmp_path)
    (tmp_path / day_folder(DAY) / "manifest.json").write_text('{"format": "coaching-sea')
    with pytest.raises(BackupRefused, match="not readable"):
        _restore(platform, tmp_path)
    assert _rows(organization) == []


def test_what_was_erased_or_deleted_after_the_backup_never_comes_back(
    platform, organization, workshop, tmp_path
):
    # Given two sessions with Priya, backed up
    second = reviewed_session(
        platform, organization, workshop.coach_id, content=variant("second")
    ).session_id
    with ports().database.transaction(organization) as conn:
        priya = conn.execute(
            "SELECT id FROM clients WHERE organization_id = %s AND name = 'Priya Nair'",
            (organization,),
        ).fetchone()["id"]
    assert _rows(organization, "client_id = %s", priya)
    assert _rows(organization, "client_id IS DISTINCT FROM %s AND text ILIKE %s", priya, "%Priya%")
    # (the first without an overview: the erasure rewrites only its turns)
    with ports().database.transaction(organization) as conn:
        conn.execute(
            "UPDATE sessions SET session_summary = NULL WHERE id = %s", (workshop.session_id,)
        )
    _back_up(platform, tmp_path, organization)
    # When Priya is erased, the second session deleted, and the index then lost
    admin = claims_for(organization, Role.ADMIN)
    assert delete(f"/v1/clients/{priya}", admin) == 204
    assert delete(f"/v1/sessions/{second}", admin) == 204
    _wipe(organization)
    report = _restore(platform, tmp_path).organizations[0]
    # Then nothing of hers, nothing of the deleted session is back
    assert _rows(organization, "client_id = %s", priya) == []
    assert _rows(organization, "session_id = %s", second) == []
    assert _rows(organization, "text ILIKE %s", "%Priya%") == []
    assert report.skipped_erased > 0 and report.skipped_changed_since > 0
    assert report.sessions_changed_since == [str(workshop.session_id)]
    assert report.restored == 0


def test_one_organizations_restore_touches_only_it(platform, organization, workshop, tmp_path):
    # Given two organizations backed up together
    other = other_organization(platform)
    reviewed_session(platform, other, add_coach(other, "Maya Chen"))
    manifest = _back_up(platform, tmp_path, organization, other)
    assert set(manifest.organizations) == {str(organization), str(other)}
    assert {f.path.split("/")[0] for f in manifest.files} == {
        f"organization={organization}",
        f"organization={other}",
    }
    # When both lose their index and only one is restored
    _wipe(organization)
    _wipe(other)
    report = _restore(platform, tmp_path, organizations={organization})
    # Then only that one has its passages back
    assert [o.organization_id for o in report.organizations] == [str(organization)]
    assert _rows(organization) and _rows(other) == []


def test_a_restore_rebuilds_pinecone_and_opensearch_through_their_adapters(
    platform, organization, workshop, tmp_path
):
    """The AWS indexes as the recorded stand-ins answer them (tests/search_services.py)."""
    pinecone_host = "https://passages-restore.svc.aped-4627-b74a.pinecone.io"
    opensearch_host = "https://restore123.eu-west-1.aoss.amazonaws.com"
    pinecone, opensearch = PineconeEmulator(), OpenSearchEmulator()
    local = platform.ports.search
    aws = SearchServices(
        store=local.store,
        vectors=PineconeVectorIndex(Index(host=pinecone_host, api_key="k")),
        keywords=OpenSearchKeywordIndex(
            opensearch_client(
                opensearch_host,
                region="eu-west-1",
                credentials=Credentials("AKID", "not-a-secret"),
            )
        ),
        embedder=local.embedder,
    )
    ports_in_aws = BackupPorts(store=platform.ports.search_backup_ports.store, search=aws)
    stored = _rows(organization)
    _back_up(platform, tmp_path, organization)
    _wipe(organization)
    with (
        respx.mock(base_url=pinecone_host, assert_all_called=False) as pinecone_http,
        responses.RequestsMock(assert_all_requests_are_fired=False) as opensearch_http,
    ):
        pinecone_http.route().mock(side_effect=_pinecone_side_effect(pinecone))
        for method in (responses.PUT, responses.POST):
            opensearch_http.add_callback(
                method,
                re.compile(rf"^{re.escape(opensearch_host)}(:443)?/"),
                callback=_opensearch_callback(opensearch),
            )
        # When the backup is restored with Pinecone and OpenSearch as the indexes
        restore(ports_in_aws, LocalBackupFiles(tmp_path / day_folder(DAY)))
        # Then both hold every passage (the vectors as backed up), and answer from them
        ids = {str(r["id"]) for r in stored}
        assert set(pinecone.vectors[str(organization)]) == ids
        focus = aws.keywords.query(organization, "focus time", SearchFilters(), 3)
        assert focus and str(focus[0].passage_id) in ids
        first = stored[0]["id"]
        vector = local.store.vectors(organization, [first], stored[0]["model"])[first]
        assert aws.vectors.query(organization, vector, SearchFilters(), 1)[0].passage_id == first
    assert len(opensearch.alias_documents(f"coaching-passages-{organization}")) == len(ids)


def test_in_aws_a_day_is_restored_from_the_exports_bucket_in_place(
    platform, organization, workshop, monkeypatch
):
    # Given the daily backup as the search_backup function writes it into the exports bucket
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with scoped_mock_aws(s3_backends):
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="coaching-exports-test")
        written = S3ExportFiles(s3, "coaching-exports-test", BACKUP_PREFIX)
        backup(platform.ports.search_backup_ports, written, DAY, organizations=[organization])
        before = _answers(platform, organization)
        _wipe(organization)
        # When an operator restores that day with COACH_RUNTIME=aws (no copy downloaded)
        settings = Settings(runtime="aws", export_bucket="coaching-exports-test")
        source, manifest_name = backup_source(settings, DAY.isoformat(), as_json=True)
        report = restore(
            platform.ports.search_backup_ports,
            source,
            manifest_name=manifest_name,
            organizations={organization},
        )
    # Then the bucket's files were checked and read back: the same answers as before
    assert report.organizations[0].restored_missing > 0
    assert _answers(platform, organization) == before
