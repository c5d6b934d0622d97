"""The embedded server started on a thread, while `coach process` imports the platform."""

from __future__ import annotations

import psycopg
import pytest

from local_runtime.embedded_postgres import start_embedded_postgres, start_in_background

pytestmark = pytest.mark.integration


def test_a_server_started_in_the_background_is_the_one_joined_after(tmp_path):
    # Given a fresh data folder, its server started in the background
    url = start_in_background(tmp_path / "pgdata").result(timeout=300)
    # When the platform starts the server for the same folder
    joined = start_embedded_postgres(tmp_path / "pgdata")
    # Then it joins the one running, whose coaching database exists
    assert joined == url
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("coaching",)


def test_a_background_start_that_fails_raises_for_whoever_waits(tmp_path):
    # Given a data folder that cannot be created (a file stands in its parent's place)
    (tmp_path / "home").write_text("not a folder", encoding="utf-8")
    # When its server is started in the background
    pending = start_in_background(tmp_path / "home" / "pgdata")
    # Then waiting for the database raises the start's error
    with pytest.raises(OSError):
        pending.result(timeout=60)


def test_a_new_cluster_is_created_without_waiting_for_the_disk_then_flushed(tmp_path, monkeypatch):
    from local_runtime import embedded_postgres

    # Given the flush that follows a new cluster, recorded (and made to start at once)
    monkeypatch.setattr(embedded_postgres, "FLUSH_DELAY_SECONDS", 0)
    flushes = []
    flush = embedded_postgres._flush_in_background
    monkeypatch.setattr(
        embedded_postgres,
        "_flush_in_background",
        lambda bin_path, pgdata, user: flushes.append(flush(bin_path, pgdata, user)) or flushes[-1],
    )
    # When a server starts on a fresh data folder
    url = start_embedded_postgres(tmp_path / "pgdata")
    # Then pgserver created the cluster through our initdb (pgserver still calls it), and
    # the cluster's files were flushed by initdb --sync-only, which succeeded
    assert [f.args[-1] for f in flushes] == [str((tmp_path / "pgdata").resolve())]
    assert flushes[0].wait(timeout=120) == 0
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("coaching",)


def test_the_server_runs_with_its_settings_and_pgvector_0_8(tmp_path):
    # When a server starts on a fresh data folder
    url = start_embedded_postgres(tmp_path / "pgdata")
    # Then it has the shared buffers it was given, and pgvector's iterative index scans
    with psycopg.connect(url) as conn:
        assert conn.execute("SHOW shared_buffers").fetchone() == ("512MB",)
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        assert conn.execute("SHOW hnsw.iterative_scan").fetchone() == ("off",)
