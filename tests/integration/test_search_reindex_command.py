"""`coach search reindex`: sessions without passages indexed, every passage embedded and sent
to the indexes, in one organization; refusals in the README's shape."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from coaching.composition import Ports
from coaching.ports.search_index import SearchServices
from local_runtime.cli import app
from tests.fakes.search import SwitchableEmbedder
from tests.local_ports import ports
from tests.review_data import add_coach, reviewed_session

pytestmark = pytest.mark.integration


@pytest.fixture
def fake_model(monkeypatch):
    """The runtime's search ports with a quick deterministic embedder."""
    from coaching.adapters.postgres.search_indexes import PgVectorIndex, PostgresKeywordIndex
    from coaching.adapters.postgres.search_store import PostgresPassageStore

    embedder = SwitchableEmbedder()

    def search(self):
        db = self.database
        return SearchServices(
            store=PostgresPassageStore(db),
            vectors=PgVectorIndex(db, model=embedder.model),
            keywords=PostgresKeywordIndex(db),
            embedder=embedder,
        )

    monkeypatch.setattr(Ports, "search", property(search))
    return embedder


def _passages(org: uuid.UUID) -> list[dict]:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT session_id, model FROM search_passages WHERE organization_id = %s", (org,)
        ).fetchall()


def _session_processed_before_search(platform, org: uuid.UUID) -> uuid.UUID:
    session_id = reviewed_session(platform, org, add_coach(org, "Maya Chen")).session_id
    with ports().database.transaction(org) as conn:
        conn.execute("DELETE FROM search_passages WHERE organization_id = %s", (org,))
    return session_id


def test_reindex_indexes_and_embeds_an_organizations_sessions(platform, organization, fake_model):
    # Given a processed session with nothing in the index (processed before search existed)
    session_id = _session_processed_before_search(platform, organization)
    # When the organization is reindexed
    result = CliRunner().invoke(
        app, ["search", "reindex", "--organization", str(organization), "--json"]
    )
    # Then its passages are back, each with a vector of the current model
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    rows = _passages(organization)
    assert report == {
        "organizations": 1,
        "sessions_indexed": 1,
        "passages": len(rows),
        "embedded": len(rows),
        "resumed": False,
    }
    assert {row["session_id"] for row in rows} == {session_id}
    assert {row["model"] for row in rows} == {fake_model.model}
    # And again: nothing left to embed
    again = CliRunner().invoke(app, ["search", "reindex", "--organization", str(organization)])
    assert again.exit_code == 0, again.output
    assert "0 embedded" in again.stdout


def test_an_organization_that_does_not_exist_is_refused(platform):
    nobody = str(uuid.UUID(int=0x5EED))
    result = CliRunner().invoke(app, ["search", "reindex", "--organization", nobody, "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "COACH_404"


def test_without_the_model_it_stops_and_says_how_to_resume(platform, organization, fake_model):
    _session_processed_before_search(platform, organization)
    fake_model.down = True
    result = CliRunner().invoke(
        app, ["search", "reindex", "--organization", str(organization), "--json"]
    )
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "COACH_503"
    assert "again to resume" in error["message"]
